package dev.finetune.worker.observe;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.finetune.engine.train.TrainingProgress;
import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.batch.FineTuningRuns;
import dev.finetune.worker.progress.SliceListener;
import dev.finetune.worker.lease.WorkerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The worker's Micrometer meters (Prometheus names in brackets):
 * <ul>
 *   <li>{@code finetune.worker.trained.tokens} [finetune_worker_trained_tokens_total]: real tokens
 *   trained by this worker, counted per recorded slice; {@code rate()} of it is tokens/s;</li>
 *   <li>{@code finetune.worker.training.steps} [finetune_worker_training_steps_total]: optimizer steps run;</li>
 *   <li>{@code finetune.worker.tokens.per.second} [finetune_worker_tokens_per_second]: the last
 *   step's throughput, 0 when idle;</li>
 *   <li>{@code finetune.worker.job.duration} [finetune_worker_job_duration_seconds], tag {@code outcome}
 *   (succeeded, failed, cancelled, released, lost): time from claim to the end of this worker's part;</li>
 *   <li>{@code finetune.worker.busy}: 1 while a job is held.</li>
 * </ul>
 * The queue's depth is the API's {@code finetune_queue_depth} (one exporter, not one per worker);
 * jobs submitted and finished are platform-core's {@code JobOutcomeMeters}.
 */
@Component
public class WorkerMetrics implements SliceListener {

    private final MeterRegistry registry;
    private final Counter steps;
    private final Counter tokens;

    public WorkerMetrics(MeterRegistry registry, WorkerState state) {
        this.registry = registry;
        this.steps = Counter.builder("finetune.worker.training.steps").description("optimizer steps run")
                .register(registry);
        this.tokens = Counter.builder("finetune.worker.trained.tokens").baseUnit("tokens")
                .description("real (unpadded) tokens trained by this worker").register(registry);
        Gauge.builder("finetune.worker.tokens.per.second", state,
                        s -> s.current().map(ActiveJob::tokensPerSecond).orElse(0.0))
                .description("tokens per second of the last training step").register(registry);
        Gauge.builder("finetune.worker.busy", state, s -> s.current().isPresent() ? 1 : 0)
                .description("1 while this worker holds a job").register(registry);
    }

    @Override
    public void afterSlice(ActiveJob job, long tokensBefore, List<TrainingProgress> slice) {
        steps.increment(slice.size());
        if (!slice.isEmpty()) {
            tokens.increment(Math.max(0, slice.get(slice.size() - 1).trainedTokens() - tokensBefore));
        }
    }

    public void jobEnded(FineTuningRuns.Outcome outcome, Duration took) {
        Timer.builder("finetune.worker.job.duration").description("claim to end of this worker's part of a job")
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry).record(took);
    }
}
