package dev.finetune.worker.lease;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.finetune.core.job.JobId;
import dev.finetune.core.queue.ClaimedJob;
import org.springframework.stereotype.Component;

/** The one job this worker is training, if any (a worker trains one job at a time). */
@Component
public class WorkerState {

    private final AtomicReference<ActiveJob> current = new AtomicReference<>();

    public ActiveJob begin(ClaimedJob claim) {
        ActiveJob job = new ActiveJob(claim, Instant.now());
        if (!current.compareAndSet(null, job)) {
            throw new IllegalStateException("this worker already trains " + current.get().jobId());
        }
        return job;
    }

    public void end(ActiveJob job) {
        current.compareAndSet(job, null);
    }

    public Optional<ActiveJob> current() {
        return Optional.ofNullable(current.get());
    }

    /** The active job with this id; the Spring Batch steps run only for the job the worker claimed. */
    public ActiveJob require(JobId id) {
        ActiveJob job = current.get();
        if (job == null || !job.jobId().equals(id)) {
            throw new IllegalStateException("job " + id + " is not the job this worker holds a lease on ("
                    + (job == null ? "none" : job.jobId()) + "); fine-tuning jobs are started by the worker loop only");
        }
        return job;
    }
}
