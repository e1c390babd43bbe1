package dev.finetune.registry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.finetune.core.job.CompletionOutbox;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.JobId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The registry's consumer of the completion outbox: registers a version for every succeeded job,
 * at least once per entry and so exactly once per job ({@link Registrations} is idempotent per
 * job). One transaction locks the entry, registers the version, marks the entry complete and sets
 * the job's {@code fine_tuned_model} to the version's reference; a failure rolls all of it back and
 * the entry waits with backoff ({@link CompletionProperties}).
 *
 * <p>Delivery happens right after the worker's commit (in its thread, when the registry is on its
 * classpath), and in every process with the registry at start and then periodically, which picks
 * up what a crashed or failing process left behind. Concurrent consumers skip an entry another one
 * holds locked.
 */
final class JobCompletions implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobCompletions.class);
    private static final int BATCH = 20;

    private final CompletionOutbox outbox;
    private final Registrations registrations;
    private final TransactionTemplate tx;
    private final CompletionProperties properties;
    private ScheduledExecutorService timer;

    /** @param tx propagation REQUIRES_NEW: it also runs after another transaction's commit */
    JobCompletions(CompletionOutbox outbox, Registrations registrations, TransactionTemplate tx,
            CompletionProperties properties) {
        this.outbox = outbox;
        this.registrations = registrations;
        this.tx = tx;
        this.properties = properties;
    }

    /** The fast path: the transaction that appended the entry has committed in this process. */
    @TransactionalEventListener
    void on(FineTuningSucceeded event) {
        deliver(event.jobId());
    }

    /** Delivers the entries that are due now; returns how many it registered. */
    int deliverDue() {
        List<JobId> due = outbox.due(BATCH);
        return (int) due.stream().filter(this::deliver).count();
    }

    /** Registers the job's entry unless it is complete or another consumer holds it; false if nothing was done. */
    boolean deliver(JobId job) {
        AtomicInteger failures = new AtomicInteger();
        try {
            Optional<Registration> done = tx.execute(s -> outbox.lock(job).map(entry -> {
                failures.set(entry.attempts() + 1);
                Registration r = registrations.register(entry.event());
                outbox.complete(job, r.version().ref());
                return r;
            }));
            done.ifPresent(r -> log.info("job {} is {} {}", job, r.created() ? "registered as" : "already registered as",
                    r.version().ref()));
            return done.isPresent();
        } catch (RuntimeException e) {
            Duration delay = properties.backoffAfter(Math.max(1, failures.get()));
            log.warn("could not register the adapter of job {} (attempt {}); retrying in {}: {}", job, failures.get(),
                    delay, e.getMessage(), e);
            try {
                tx.executeWithoutResult(s -> outbox.retryLater(job, String.valueOf(e.getMessage()), delay));
            } catch (RuntimeException again) {
                log.warn("could not record the failed attempt for job {}; it stays due: {}", job, again.getMessage());
            }
            return false;
        }
    }

    @Override
    public synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registry-completions");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::deliverDueQuietly, 0, properties.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void deliverDueQuietly() {
        try {
            int registered = deliverDue();
            if (registered > 0) {
                log.info("registered {} succeeded job(s) left over from earlier", registered);
            }
        } catch (RuntimeException e) {
            // the database may be briefly away; the next round tries again
            log.warn("could not look for unregistered succeeded jobs: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }
}
