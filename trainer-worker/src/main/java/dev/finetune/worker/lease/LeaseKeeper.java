package dev.finetune.worker.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.finetune.core.job.JobStatus;
import dev.finetune.core.queue.JobQueue;
import dev.finetune.core.queue.QueueProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Renews the active job's lease every {@code finetune.queue.heartbeat-interval} on a thread of its
 * own, so a long training step never lets it lapse. When a renewal finds the lease gone (another
 * worker took the job over), or no renewal has succeeded for a whole lease period (the database is
 * unreachable, so another worker may already have taken over), the job is marked lost and the
 * training thread stops writing for it. A renewal that finds the job {@code cancelling} asks the
 * training thread to stop after the step in progress.
 */
@Component
public class LeaseKeeper implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final JobQueue queue;
    private final QueueProperties settings;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "finetune-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> beating;
    private volatile Instant lastRenewed;

    LeaseKeeper(JobQueue queue, QueueProperties settings) {
        this.queue = queue;
        this.settings = settings;
    }

    public synchronized void watch(ActiveJob job) {
        unwatch();
        lastRenewed = Instant.now();
        long every = settings.heartbeatInterval().toMillis();
        beating = scheduler.scheduleWithFixedDelay(() -> beat(job), every, every, TimeUnit.MILLISECONDS);
    }

    public synchronized void unwatch() {
        if (beating != null) {
            beating.cancel(false);
            beating = null;
        }
    }

    private void beat(ActiveJob job) {
        MDC.put("tenantId", job.tenantId().toString());
        MDC.put("jobId", job.jobId().toString());
        try {
            Optional<JobStatus> status = queue.renew(job.jobId(), job.worker(), settings.lease());
            if (status.isPresent()) {
                lastRenewed = Instant.now();
                if (status.get() == JobStatus.CANCELLING) {
                    // a cancel stops the job after the step in progress, not at the end of its slice
                    job.requestStop(ActiveJob.Stop.CANCEL);
                }
            } else if (!job.leaseLost()) {
                log.warn("the lease on the job is gone (taken over or ended elsewhere); stopping it here");
                job.markLeaseLost();
            }
        } catch (RuntimeException e) {
            Duration silent = Duration.between(lastRenewed, Instant.now());
            log.warn("heartbeat failed ({} since the last renewal): {}", silent, e.toString());
            if (silent.compareTo(settings.lease()) >= 0) {
                job.markLeaseLost();
            }
        } finally {
            MDC.clear();
        }
    }

    /** Stops all heartbeats for good (at shutdown; a test also uses it to play a worker that froze). */
    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
