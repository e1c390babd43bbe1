package dev.finetune.api.problem;

import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.StorageUnavailableException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Recognises an outage of PostgreSQL or the object store in any exception's cause chain, so that
 * every path (a controller, the key filter, an exception wrapped by a library) answers the same
 * 503 problem with {@code Retry-After} instead of a 500 or a hung request.
 */
public final class Outages {

    private Outages() {
    }

    public static PlatformProblem databaseUnavailable() {
        return new PlatformProblem(ProblemKind.DATABASE_UNAVAILABLE,
                "the database cannot be reached right now; retry in a few seconds");
    }

    public static PlatformProblem storageUnavailable() {
        return new PlatformProblem(ProblemKind.STORAGE_UNAVAILABLE,
                "object storage cannot be reached right now; retry in a few seconds");
    }

    /**
     * No connection could be had: Hikari's timeout ({@link SQLTransientConnectionException}), the
     * driver's refused or broken connection (SQLState class 08), or Spring's translation of either
     * ({@link CannotCreateTransactionException}, {@link DataAccessResourceFailureException}).
     */
    public static boolean isDatabaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotCreateTransactionException || t instanceof DataAccessResourceFailureException
                    || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    public static boolean isStorageUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StorageUnavailableException) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }
}
