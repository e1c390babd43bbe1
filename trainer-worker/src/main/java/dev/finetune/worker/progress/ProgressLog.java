package dev.finetune.worker.progress;

import dev.finetune.worker.lease.ActiveJob;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.json.CoreJson;
import dev.finetune.core.progress.EventLevel;
import dev.finetune.engine.train.TrainingProgress;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What a running job writes to PostgreSQL: events, per-step metrics, checkpoint rows and progress.
 * Each write is one short transaction of its own (never the Spring Batch step's, which spans the
 * compute), and the writes of a slice are fenced by the lease: they commit only while this worker
 * still owns the job, so a worker that lost its lease cannot overwrite its successor's progress.
 * Per-step rows are upserts, so a step re-run after a takeover replaces nothing wrongly.
 */
@Component
public class ProgressLog {

    private static final String FENCED_PROGRESS = JobStatus.sql("""
            UPDATE fine_tuning_jobs SET trained_tokens = :tokens, estimated_finish = :eta
             WHERE id = :id AND lease_owner = :worker AND status IN ({RUNNING}, {CANCELLING})
            RETURNING status
            """);

    private static final String OWNED_STATUS = JobStatus.sql("""
            SELECT status FROM fine_tuning_jobs
             WHERE id = :id AND lease_owner = :worker AND status IN ({RUNNING}, {CANCELLING})
            """);

    private static final String METRIC = """
            INSERT INTO job_metrics (job_id, step, epoch, loss, eval_loss, learning_rate, tokens_per_second, created_at)
            VALUES (:job, :step, :epoch, :loss, :evalLoss, :lr, :tps, now())
            ON CONFLICT (job_id, step) DO UPDATE SET epoch = excluded.epoch, loss = excluded.loss,
                eval_loss = coalesce(excluded.eval_loss, job_metrics.eval_loss),
                learning_rate = excluded.learning_rate, tokens_per_second = excluded.tokens_per_second
            """;

    private static final String EVAL_METRIC = """
            INSERT INTO job_metrics (job_id, step, eval_loss, created_at) VALUES (:job, :step, :evalLoss, now())
            ON CONFLICT (job_id, step) DO UPDATE SET eval_loss = excluded.eval_loss
            """;

    private static final String CHECKPOINT = """
            INSERT INTO job_checkpoints (job_id, step, object_key, created_at) VALUES (:job, :step, :key, now())
            ON CONFLICT (job_id, step) DO NOTHING
            """;

    private static final String EVENT = """
            INSERT INTO job_events (job_id, level, message, data, created_at)
            VALUES (:job, :level, :message, CAST(:data AS jsonb), now())
            """;

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate batch;
    private final TransactionTemplate tx;

    ProgressLog(DataSource dataSource, PlatformTransactionManager transactions) {
        this.jdbc = JdbcClient.create(dataSource);
        this.batch = new NamedParameterJdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(transactions);
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.tx.setTimeout(30);
    }

    /** The job's status while this worker owns it; empty when the lease is gone (or the job already ended). */
    public Optional<JobStatus> ownedStatus(ActiveJob job) {
        return tx.execute(s -> jdbc.sql(OWNED_STATUS)
                .param("id", job.jobId().value()).param("worker", job.worker().value())
                .query(String.class).optional().map(JobStatus::fromWire));
    }

    /**
     * Records a finished slice in one transaction, fenced by the lease: progress, the checkpoint row,
     * every step's metrics and the slice's events. Empty when the lease was lost (nothing is written).
     */
    public Optional<JobStatus> recordSlice(ActiveJob job, Slice slice) {
        return tx.execute(s -> {
            Optional<JobStatus> status = jdbc.sql(FENCED_PROGRESS)
                    .param("tokens", slice.trainedTokens())
                    .param("eta", slice.estimatedFinish() == null ? null : Timestamp.from(slice.estimatedFinish()))
                    .param("id", job.jobId().value()).param("worker", job.worker().value())
                    .query(String.class).optional().map(JobStatus::fromWire);
            if (status.isEmpty()) {
                return status;
            }
            if (slice.checkpointPrefix() != null) {
                jdbc.sql(CHECKPOINT).param("job", job.jobId().value()).param("step", slice.lastStep())
                        .param("key", slice.checkpointPrefix()).update();
            }
            batch.batchUpdate(METRIC, slice.steps().stream().map(p -> metric(job.jobId(), p))
                    .toArray(MapSqlParameterSource[]::new));
            slice.events().forEach(e -> insertEvent(job.jobId(), e));
            return status;
        });
    }

    /** The final evaluation on the last step's metrics row. */
    public void recordEval(JobId job, int step, double evalLoss) {
        tx.executeWithoutResult(s -> jdbc.sql(EVAL_METRIC).param("job", job.value()).param("step", step)
                .param("evalLoss", finite(evalLoss)).update());
    }

    public void event(JobId job, EventLevel level, String message, Map<String, Object> data) {
        tx.executeWithoutResult(s -> insertEvent(job, new Event(level, message, data)));
    }

    private void insertEvent(JobId job, Event e) {
        jdbc.sql(EVENT).param("job", job.value()).param("level", e.level().wireName())
                .param("message", e.message()).param("data", e.data() == null ? null : CoreJson.write(e.data()))
                .update();
    }

    private static MapSqlParameterSource metric(JobId job, TrainingProgress p) {
        return new MapSqlParameterSource()
                .addValue("job", job.value()).addValue("step", p.step()).addValue("epoch", finite(p.epoch()))
                .addValue("loss", finite(p.loss())).addValue("evalLoss", p.evalLoss() == null ? null : finite(p.evalLoss()))
                .addValue("lr", finite(p.learningRate())).addValue("tps", finite(p.tokensPerSecond()));
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** One line of the job's event log. */
    public record Event(EventLevel level, String message, Map<String, Object> data) {

        public static Event info(String message, Map<String, Object> data) {
            return new Event(EventLevel.INFO, message, data);
        }
    }

    /**
     * A slice's outcome.
     *
     * @param lastStep the step the slice ended at (the checkpoint's step)
     * @param checkpointPrefix where its checkpoint was uploaded, or null when none was written
     * @param steps progress of every step the slice ran, for the metrics table
     * @param trainedTokens tokens trained so far (the job's trained_tokens)
     * @param estimatedFinish when training should end at the current pace, or null
     * @param events events to add in the same transaction
     */
    public record Slice(int lastStep, String checkpointPrefix, List<TrainingProgress> steps, long trainedTokens,
            Instant estimatedFinish, List<Event> events) {
    }
}
