package dev.finetune.worker.observe;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

import dev.finetune.core.queue.JobQueue;
import dev.finetune.core.queue.QueueDepth;
import dev.finetune.engine.train.TrainingProgress;
import dev.finetune.worker.batch.ActiveJob;
import dev.finetune.worker.batch.FineTuningRuns;
import dev.finetune.worker.batch.SliceListener;
import dev.finetune.worker.batch.WorkerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The worker's Micrometer meters (Prometheus names in brackets):
 * <ul>
 *   <li>{@code finetune.worker.tokens.per.second} [finetune_worker_tokens_per_second]: the last
 *   step's throughput, 0 when idle;</li>
 *   <li>{@code finetune.worker.training.steps} [finetune_worker_training_steps_total]: optimizer steps run;</li>
 *   <li>{@code finetune.worker.job.duration} [finetune_worker_job_duration_seconds], tag {@code outcome}
 *   (succeeded, failed, cancelled, released, lost): time from claim to the end of this worker's part;</li>
 *   <li>{@code finetune.worker.busy}: 1 while a job is held;</li>
 *   <li>{@code finetune.queue.jobs}, tag {@code state} (queued, leased, expired): the queue's depth,
 *   read from PostgreSQL at most every 5 seconds.</li>
 * </ul>
 */
@Component
public class WorkerMetrics implements SliceListener {

    private static final long DEPTH_CACHE_NANOS = 5_000_000_000L;

    private final MeterRegistry registry;
    private final WorkerState state;
    private final JobQueue queue;
    private final Counter steps;
    private final AtomicReference<Cached> depth = new AtomicReference<>();

    public WorkerMetrics(MeterRegistry registry, WorkerState state, JobQueue queue) {
        this.registry = registry;
        this.state = state;
        this.queue = queue;
        this.steps = Counter.builder("finetune.worker.training.steps").description("optimizer steps run")
                .register(registry);
        Gauge.builder("finetune.worker.tokens.per.second", state,
                        s -> s.current().map(ActiveJob::tokensPerSecond).orElse(0.0))
                .description("tokens per second of the last training step").register(registry);
        Gauge.builder("finetune.worker.busy", state, s -> s.current().isPresent() ? 1 : 0)
                .description("1 while this worker holds a job").register(registry);
        for (String s : List.of("queued", "leased", "expired")) {
            Gauge.builder("finetune.queue.jobs", this, m -> m.depth(s)).tag("state", s)
                    .description("fine-tuning jobs waiting, under a live lease, or whose lease expired")
                    .register(registry);
        }
    }

    @Override
    public void afterSlice(ActiveJob job, List<TrainingProgress> slice) {
        steps.increment(slice.size());
    }

    public void jobEnded(FineTuningRuns.Outcome outcome, Duration took) {
        Timer.builder("finetune.worker.job.duration").description("claim to end of this worker's part of a job")
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry).record(took);
    }

    private double depth(String which) {
        Cached c = depth.get();
        if (c == null || System.nanoTime() - c.at() > DEPTH_CACHE_NANOS) {
            try {
                c = new Cached(queue.depth(), System.nanoTime());
                depth.set(c);
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        }
        return switch (which) {
            case "queued" -> c.depth().queued();
            case "leased" -> c.depth().leased();
            default -> c.depth().expiredLeases();
        };
    }

    private record Cached(QueueDepth depth, long at) {
    }
}
