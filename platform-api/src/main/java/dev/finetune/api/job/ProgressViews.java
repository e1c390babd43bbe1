package dev.finetune.api.job;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.progress.JobCheckpoint;
import dev.finetune.core.progress.JobEvent;
import dev.finetune.core.progress.JobMetric;

/** The JSON shapes of a job's events, metrics and checkpoints. */
final class ProgressViews {

    private ProgressViews() {
    }

    record EventView(long id, String object, @JsonProperty("created_at") Instant createdAt, String level,
            String message, Map<String, Object> data) {
        static EventView of(JobEvent e) {
            return new EventView(e.id(), "fine_tuning.job.event", e.createdAt(), e.level().wireName(), e.message(), e.data());
        }
    }

    record MetricView(int step, Double epoch, Double loss, @JsonProperty("eval_loss") Double evalLoss,
            @JsonProperty("learning_rate") Double learningRate,
            @JsonProperty("tokens_per_second") Double tokensPerSecond,
            @JsonProperty("created_at") Instant createdAt) {
        static MetricView of(JobMetric m) {
            return new MetricView(m.step(), m.epoch(), m.loss(), m.evalLoss(), m.learningRate(), m.tokensPerSecond(),
                    m.createdAt());
        }
    }

    record CheckpointView(String id, String object, @JsonProperty("fine_tuning_job_id") String jobId, int step,
            @JsonProperty("object_key") String objectKey, @JsonProperty("created_at") Instant createdAt,
            MetricView metrics) {
        static CheckpointView of(JobCheckpoint c, JobMetric atStep) {
            return new CheckpointView(JobView.checkpointId(new CheckpointRef(c.jobId(), c.step())),
                    "fine_tuning.job.checkpoint", c.jobId().toString(), c.step(), c.objectKey(), c.createdAt(),
                    atStep == null ? null : MetricView.of(atStep));
        }
    }
}
