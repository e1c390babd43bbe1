package dev.finetune.worker.loop;

import dev.finetune.worker.lease.LeaseKeeper;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.finetune.core.queue.ClaimedJob;
import dev.finetune.core.queue.JobQueue;
import dev.finetune.core.queue.QueueProperties;
import dev.finetune.core.queue.WorkerId;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.worker.WorkerProperties;
import dev.finetune.worker.taskeval.OnDemandTaskEvaluations;
import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.batch.FineTuningRuns;
import dev.finetune.worker.lease.WorkerState;
import dev.finetune.worker.observe.WorkerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The worker's one training thread: claim the oldest queued job (or one whose worker died), run it
 * to its end, repeat; with no job waiting, run one on-demand task evaluation if one waits
 * ({@link OnDemandTaskEvaluations}); sleep {@code finetune.queue.poll-interval} when both queues are empty. The same
 * thread runs the engine, because DJL's grad mode is per thread.
 *
 * <p><b>Graceful stop</b> (SIGTERM, context close): no new claim is made and the current job is
 * asked to stop ({@link ActiveJob#requestStop}). Training stops after the optimizer step in
 * progress, not at the end of the slice; the train step then writes, uploads and records a
 * checkpoint of the steps done so far, Spring Batch records the execution as STOPPED and the lease
 * is released, which puts the job back in the queue for any worker to resume from that checkpoint.
 * A job still preparing finishes preparing and stops before training; one evaluating or
 * publishing runs to its end. {@link #stop(Runnable)} waits up to
 * {@code finetune.worker.shutdown-timeout} (also Spring's
 * {@code spring.lifecycle.timeout-per-shutdown-phase}); if the step and its checkpoint outlive it,
 * the process exits anyway, the lease expires and the job resumes from its previous checkpoint.
 */
@Component
public class WorkerLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerLoop.class);

    private final WorkerProperties properties;
    private final QueueProperties queueSettings;
    private final JobQueue queue;
    private final FineTuningRuns runs;
    private final LeaseKeeper leases;
    private final WorkerState state;
    private final WorkerMetrics metrics;
    private final WorkerId worker;
    private final OnDemandTaskEvaluations evaluations;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile Thread thread;
    private volatile boolean stopping;

    WorkerLoop(WorkerProperties properties, QueueProperties queueSettings, JobQueue queue, FineTuningRuns runs,
            LeaseKeeper leases, WorkerState state, WorkerMetrics metrics, OnDemandTaskEvaluations evaluations) {
        this.evaluations = evaluations;
        this.properties = properties;
        this.queueSettings = queueSettings;
        this.queue = queue;
        this.runs = runs;
        this.leases = leases;
        this.state = state;
        this.metrics = metrics;
        this.worker = properties.workerId();
    }

    public WorkerId workerId() {
        return worker;
    }

    @Override
    public synchronized void start() {
        if (!properties.enabled() || thread != null) {
            return;
        }
        // offline switches before anything touches DJL
        EngineRuntime.init();
        thread = new Thread(this::loop, "finetune-worker");
        thread.start();
        log.info("worker {} started: device {}, {} steps or {} per slice", worker, properties.device(),
                properties.sliceSteps(), properties.sliceTime());
    }

    private void loop() {
        EngineRuntime.setGradMode(false);
        while (!stopping) {
            try {
                queue.reapAbandoned();
                Optional<ClaimedJob> claimed = queue.claimNext(worker, queueSettings.lease());
                if (claimed.isPresent()) {
                    runOne(claimed.get());
                } else if (!evaluations.runNext(worker)) {
                    pause(queueSettings.pollInterval());
                }
            } catch (RuntimeException e) {
                log.warn("claiming failed, trying again in {}: {}", queueSettings.pollInterval(), e.toString());
                pause(queueSettings.pollInterval());
            }
        }
        log.info("worker {} stopped", worker);
    }

    private void runOne(ClaimedJob claim) {
        ActiveJob active = runs.begin(claim);
        if (stopping) {
            active.requestStop(ActiveJob.Stop.SHUTDOWN);
        }
        log.info("claimed job (attempt {}{})", claim.attempt(),
                claim.previousOwner().map(p -> ", taken over from " + p).orElse(""));
        leases.watch(active);
        FineTuningRuns.Outcome outcome = FineTuningRuns.Outcome.FAILED;
        try {
            outcome = runs.run(active);
        } finally {
            leases.unwatch();
            runs.end(active);
            metrics.jobEnded(outcome, Duration.between(active.startedAt(), java.time.Instant.now()));
        }
    }

    private void pause(Duration duration) {
        try {
            stopSignal.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    @Override
    public void stop(Runnable callback) {
        stopping = true;
        stopSignal.countDown();
        state.current().ifPresent(job -> job.requestStop(ActiveJob.Stop.SHUTDOWN));
        Thread running = thread;
        if (running == null) {
            callback.run();
            return;
        }
        Thread waiter = new Thread(() -> {
            try {
                running.join(properties.shutdownTimeout().toMillis());
                if (running.isAlive()) {
                    log.warn("the current step and its checkpoint did not end within {}; exiting without a final checkpoint "
                            + "(the job resumes from its previous one)", properties.shutdownTimeout());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                callback.run();
            }
        }, "finetune-worker-stop");
        waiter.start();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive() && !stopping;
    }

    /** Whether the training thread is alive (for the health indicator). */
    public boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    public boolean isStopping() {
        return stopping;
    }

    public boolean isEnabled() {
        return properties.enabled();
    }
}
