package dev.finetune.core.job;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.json.CoreJson;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The transactional outbox of {@link FineTuningSucceeded} (table {@code job_completion_outbox}).
 * The worker {@link #append appends} in the transaction that marks the job succeeded; a consumer
 * lists what is {@link #due}, {@link #lock locks} one entry, does its work and {@link #complete
 * completes} it in one transaction, or pushes it back with {@link #retryLater}. Delivery is at
 * least once: only a completed entry is never handed out again.
 */
public class CompletionOutbox {

    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;

    public CompletionOutbox(JdbcClient jdbc, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /**
     * Stores the event in the caller's transaction (none is an error: an entry written on its own
     * could outlive a rolled-back job, or be missing for a committed one) and publishes it as an
     * application event, so a consumer in this process can deliver it right after the commit. A job
     * that already has an entry keeps it (a worker restarted after the commit appends again).
     */
    public void append(FineTuningSucceeded event) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("the completion of job " + event.jobId()
                    + " must be written in the transaction that marks the job succeeded");
        }
        jdbc.sql("INSERT INTO job_completion_outbox (job_id, event) VALUES (?, CAST(? AS jsonb)) ON CONFLICT (job_id) DO NOTHING")
                .params(event.jobId().value(), CoreJson.write(event)).update();
        events.publishEvent(event);
    }

    /** Jobs whose entry is incomplete and due for an attempt, oldest first. */
    public List<JobId> due(int limit) {
        return jdbc.sql("""
                SELECT job_id FROM job_completion_outbox
                 WHERE completed_at IS NULL AND next_attempt_at <= now()
                 ORDER BY next_attempt_at LIMIT ?""")
                .param(limit).query(UUID.class).list().stream().map(JobId::new).toList();
    }

    /**
     * Locks the job's incomplete entry until the caller's transaction ends; empty when it is
     * complete, absent, or locked by another consumer right now (that one delivers it).
     */
    public Optional<Entry> lock(JobId job) {
        return jdbc.sql("SELECT event::text, attempts FROM job_completion_outbox "
                        + "WHERE job_id = ? AND completed_at IS NULL FOR UPDATE SKIP LOCKED")
                .param(job.value())
                .query((rs, n) -> new Entry(CoreJson.read(rs.getString(1), FineTuningSucceeded.class), rs.getInt(2)))
                .optional();
    }

    /**
     * Marks the entry delivered and records on the job the model reference its consumer made of it
     * ({@code fine_tuned_model}), in the caller's transaction.
     */
    public void complete(JobId job, String fineTunedModel) {
        jdbc.sql("UPDATE job_completion_outbox SET completed_at = now(), last_error = NULL WHERE job_id = ?")
                .param(job.value()).update();
        jdbc.sql("UPDATE fine_tuning_jobs SET fine_tuned_model = ? WHERE id = ?")
                .params(fineTunedModel, job.value()).update();
    }

    /** Counts a failed attempt and makes the entry due again after {@code delay}. */
    public void retryLater(JobId job, String error, Duration delay) {
        jdbc.sql("""
                UPDATE job_completion_outbox
                   SET attempts = attempts + 1, last_error = ?,
                       next_attempt_at = now() + ? * interval '1 millisecond'
                 WHERE job_id = ? AND completed_at IS NULL""")
                .params(error, delay.toMillis(), job.value()).update();
    }

    /**
     * An entry handed to a consumer.
     *
     * @param event what to deliver
     * @param attempts failed attempts so far (for backoff)
     */
    public record Entry(FineTuningSucceeded event, int attempts) {
    }
}
