package dev.finetune.worker.batch;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.JobError;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.progress.EventLevel;
import dev.finetune.core.progress.JobEvent;
import dev.finetune.core.progress.JobEventRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The end of a job, written through the job entity's status machine in one short transaction each,
 * and only while this worker still holds the lease (a worker that lost it changes nothing). A
 * concurrent change (say a cancel arriving from the API) makes the save fail on the entity's
 * version; the outcome is then re-decided on the fresh row.
 */
@Component
class JobOutcomes {

    private static final Logger log = LoggerFactory.getLogger(JobOutcomes.class);
    private static final int TRIES = 3;

    private final FineTuningJobRepository jobs;
    private final JobEventRepository events;
    private final ApplicationEventPublisher publisher;
    private final TransactionTemplate tx;

    JobOutcomes(FineTuningJobRepository jobs, JobEventRepository events, ApplicationEventPublisher publisher,
            PlatformTransactionManager transactions) {
        this.jobs = jobs;
        this.events = events;
        this.publisher = publisher;
        this.tx = new TransactionTemplate(transactions);
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /**
     * Marks the job succeeded and publishes {@link FineTuningSucceeded} in the same transaction. A job
     * already succeeded (a restart after this committed) only publishes again; a job cancelled in the
     * meantime ends cancelled instead. Returns the status the job has now, empty if the lease was lost.
     */
    Optional<JobStatus> succeed(ActiveJob active, long trainedTokens, List<String> resultKeys,
            FineTuningSucceeded event) {
        return change(active, job -> {
            if (job.status() == JobStatus.CANCELLING) {
                job.transitionTo(JobStatus.CANCELLED, Instant.now());
                events.save(new JobEvent(job.id(), EventLevel.INFO, "Cancelled before the adapter was published", null,
                        Instant.now()));
                return;
            }
            if (job.status() != JobStatus.SUCCEEDED) {
                job.succeed(trainedTokens, resultKeys, event.finishedAt());
                events.save(new JobEvent(job.id(), EventLevel.INFO, "Fine-tuning succeeded: the adapter is at "
                        + event.adapterPrefix(), Map.of("adapter_prefix", event.adapterPrefix(),
                        "trained_tokens", trainedTokens, "steps", event.metrics().steps()), Instant.now()));
            }
            publisher.publishEvent(event);
        });
    }

    /** Fails the job with an error a person can act on. */
    Optional<JobStatus> fail(ActiveJob active, JobError error) {
        return change(active, job -> {
            if (!job.status().isTerminal()) {
                job.fail(error, Instant.now());
                events.save(new JobEvent(job.id(), EventLevel.ERROR, error.message(),
                        error.param() == null ? Map.of("code", error.code())
                                : Map.of("code", error.code(), "param", error.param()), Instant.now()));
            }
        });
    }

    /** Ends a cancelling job as cancelled (after its last slice was recorded). */
    Optional<JobStatus> cancel(ActiveJob active, int step) {
        return change(active, job -> {
            if (job.status() == JobStatus.CANCELLING) {
                job.transitionTo(JobStatus.CANCELLED, Instant.now());
                events.save(new JobEvent(job.id(), EventLevel.INFO, "Cancelled after step " + step,
                        Map.of("step", step), Instant.now()));
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
}
