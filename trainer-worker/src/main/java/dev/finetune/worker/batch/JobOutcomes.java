package dev.finetune.worker.batch;

import dev.finetune.worker.lease.ActiveJob;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.finetune.core.job.CompletionOutbox;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.JobError;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The end of a job, written through the job entity's status machine in one short transaction each,
 * and only while this worker still holds the lease (a worker that lost it changes nothing). A
 * concurrent change (say a cancel arriving from the API) makes the save fail on the entity's
 * version; the outcome is then re-decided on the fresh row. The job's status lines in its event log
 * come from the status changes themselves ({@code JobStatusLog}), in the same transaction.
 */
@Component
public class JobOutcomes {

    /**
     * Test hook, documented for {@code CrashRecoveryIT}: with this system property set to true the
     * JVM halts (as if SIGKILLed) right after the transaction that made a job succeeded commits,
     * before anything that runs after the commit (the registry's delivery of the outbox entry).
     */
    static final String HALT_AFTER_SUCCEEDED_COMMIT = "finetune.test.halt-after-succeeded-commit";

    private static final Logger log = LoggerFactory.getLogger(JobOutcomes.class);
    private static final int TRIES = 3;

    private final FineTuningJobRepository jobs;
    private final CompletionOutbox outbox;
    private final TransactionTemplate tx;

    JobOutcomes(FineTuningJobRepository jobs, CompletionOutbox outbox, PlatformTransactionManager transactions) {
        this.jobs = jobs;
        this.outbox = outbox;
        this.tx = new TransactionTemplate(transactions);
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /**
     * Marks the job succeeded and appends {@link FineTuningSucceeded} to the completion outbox in the
     * same transaction, so the registry gets it at least once whatever happens after the commit. A job
     * already succeeded (a restart after this committed) only appends again, which keeps the entry it
     * has; a job cancelled in the meantime ends cancelled instead. Returns the status the job has now,
     * empty if the lease was lost.
     */
    Optional<JobStatus> succeed(ActiveJob active, List<String> resultKeys, FineTuningSucceeded event) {
        return change(active, job -> {
            if (job.status() == JobStatus.CANCELLING) {
                job.transitionTo(JobStatus.CANCELLED, Instant.now(), "Cancelled before the adapter was published", Map.of());
                return;
            }
            if (job.status() != JobStatus.SUCCEEDED) {
                job.succeed(event.metrics().trainedTokens(), resultKeys, event.occurredAt());
            }
            outbox.append(event);
            if (Boolean.getBoolean(HALT_AFTER_SUCCEEDED_COMMIT)) {
                TransactionSynchronizationManager.registerSynchronization(new HaltAfterCommit(job.id()));
            }
        });
    }

    /** Fails the job with an error a person can act on. */
    Optional<JobStatus> fail(ActiveJob active, JobError error) {
        return change(active, job -> {
            if (!job.status().isTerminal()) {
                job.fail(error, Instant.now());
            }
        });
    }

    /** Ends a cancelling job as cancelled (after its last slice was recorded). */
    Optional<JobStatus> cancel(ActiveJob active, int step) {
        return change(active, job -> {
            if (job.status() == JobStatus.CANCELLING) {
                job.transitionTo(JobStatus.CANCELLED, Instant.now(), "Cancelled after step " + step, Map.of("step", step));
            }
        });
    }

    private Optional<JobStatus> change(ActiveJob active, Consumer<FineTuningJob> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return Optional.ofNullable(tx.execute(s -> {
                    FineTuningJob job = jobs.find(active.jobId()).orElseThrow();
                    if (!job.leaseOwner().map(active.worker().value()::equals).orElse(false)) {
                        log.warn("not ending {}: lease owner is {}, not this worker", job, job.leaseOwner().orElse("nobody"));
                        return null;
                    }
                    change.accept(job);
                    return jobs.saveAndFlush(job).status();
                }));
            } catch (OptimisticLockingFailureException e) {
                if (attempt == TRIES) {
                    throw e;
                }
                log.info("job {} changed concurrently; deciding again", active.jobId());
            }
        }
    }

    /** See {@link #HALT_AFTER_SUCCEEDED_COMMIT}; ordered first so it runs before any other after-commit work. */
    private record HaltAfterCommit(JobId job) implements TransactionSynchronization {

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }

        @Override
        public void afterCommit() {
            log.warn("job {} committed as succeeded; halting now ({})", job, HALT_AFTER_SUCCEEDED_COMMIT);
            Runtime.getRuntime().halt(137);
        }
    }
}
