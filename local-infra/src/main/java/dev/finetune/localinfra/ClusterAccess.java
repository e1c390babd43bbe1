package dev.finetune.localinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect to an embedded cluster, written into its data directory before every start:
 * {@code pg_hba.conf} (loopback TCP only; SCRAM password, or trust for test clusters) and
 * {@code finetune.conf} (no Unix socket), included from {@code postgresql.conf}.
 *
 * <p>A cluster that has no password yet (new, or made by an older version with trust auth)
 * starts once with a loopback-only trust rule for {@code postgres}; {@link #setPasswordIfPending}
 * then sets the password, switches {@code pg_hba.conf} to SCRAM, reloads the configuration and
 * leaves the marker file {@value #MARKER}, so every later start is password-only from the beginning.
 */
final class ClusterAccess {

    private static final Logger log = LoggerFactory.getLogger(ClusterAccess.class);
    static final String MARKER = "finetune-password-auth";
    private static final String INCLUDE = "include_if_exists = 'finetune.conf'";

    private final Path dataDirectory;
    private final boolean passwordPending;

    private ClusterAccess(Path dataDirectory, boolean passwordPending) {
        this.dataDirectory = dataDirectory;
        this.passwordPending = passwordPending;
    }

    static ClusterAccess configure(Path dataDirectory, boolean passwordAuth) {
        try {
            boolean pending = passwordAuth && !Files.exists(dataDirectory.resolve(MARKER));
            Path conf = dataDirectory.resolve("postgresql.conf");
            if (!Files.readString(conf).contains(INCLUDE)) {
                Files.writeString(conf, "\n# added by the platform's EmbeddedPostgres\n" + INCLUDE + "\n",
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            }
            Files.writeString(dataDirectory.resolve("finetune.conf"), """
                    # written by the platform's EmbeddedPostgres on every start; edits are lost
                    # TCP on loopback only (listen_addresses is set on the command line), no Unix socket
                    unix_socket_directories = ''
                    password_encryption = 'scram-sha-256'
                    """);
            writeHba(dataDirectory, !passwordAuth ? "trust" : pending ? "bootstrap" : "scram-sha-256");
            return new ClusterAccess(dataDirectory, pending);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure access to the cluster in " + dataDirectory, e);
        }
    }

    private static void writeHba(Path dataDirectory, String mode) throws IOException {
        String user = "bootstrap".equals(mode) ? "postgres" : "all";
        String method = "bootstrap".equals(mode) ? "trust" : mode;
        Files.writeString(dataDirectory.resolve("pg_hba.conf"), """
                # written by the platform's EmbeddedPostgres on every start; edits are lost
                # TYPE  DATABASE  USER  ADDRESS       METHOD
                host    all       %1$s  127.0.0.1/32  %2$s
                host    all       %1$s  ::1/128       %2$s
                """.formatted(user, method));
    }

    /** Sets the password on a cluster that has none yet and makes SCRAM the only way in. */
    void setPasswordIfPending(DataSource postgres, String password) {
        if (!passwordPending) {
            return;
        }
        try (Connection c = postgres.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("ALTER ROLE postgres PASSWORD '" + password + "'"); // checked: no quote, no backslash
            writeHba(dataDirectory, "scram-sha-256");
            s.execute("SELECT pg_reload_conf()");
            Files.writeString(dataDirectory.resolve(MARKER), "scram-sha-256\n");
            log.info("PostgreSQL in {} now admits the postgres user with its password only", dataDirectory);
        } catch (SQLException e) {
            throw new IllegalStateException("could not set the password of the cluster in " + dataDirectory, e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not switch " + dataDirectory + " to password authentication", e);
        }
    }
}
