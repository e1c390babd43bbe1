package dev.finetune.api.observability;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.finetune.core.job.JobStatus;
import dev.finetune.core.queue.JobQueue;
import dev.finetune.core.queue.QueueDepth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The platform-wide gauges, exported by one API replica at a time:
 * <ul>
 *   <li>{@code finetune_queue_depth{state=queued|leased|expired_lease}}: jobs waiting for a worker,
 *   under a live lease, and whose worker stopped renewing it;</li>
 *   <li>{@code finetune_jobs{status}}: jobs by status;</li>
 *   <li>{@code finetune_metrics_reporter}: 1 on the replica exporting them.</li>
 * </ul>
 * Every replica reads the same tables; the replica holding the {@link ReporterLease} exports the
 * values and the others export 0, so {@code sum()} over replicas (what KEDA and dashboards do)
 * counts each job once. The snapshot is refreshed every {@value #REFRESH_SECONDS} s in the
 * background, which also keeps the lease; a scrape only reads it.
 */
@Component
class JobGauges implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobGauges.class);
    static final int REFRESH_SECONDS = 5;
    /** Long enough to survive a slow refresh or two; a dead reporter is replaced within this. */
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Snapshot QUIET = new Snapshot(false, new QueueDepth(0, 0, 0), Map.of());

    private final JobQueue queue;
    private final JdbcClient jdbc;
    private final ReporterLease lease;
    private volatile Snapshot snapshot = QUIET;
    private ScheduledExecutorService refresher;

    JobGauges(JobQueue queue, JdbcClient jdbc, MeterRegistry registry) {
        this.queue = queue;
        this.jdbc = jdbc;
        this.lease = new ReporterLease(jdbc, "platform-gauges", LEASE);
        Gauge.builder("finetune.queue.depth", this, g -> g.snapshot.depth.queued()).tag("state", "queued")
                .description("Jobs waiting for a worker (exported by one API replica; 0 on the others)").register(registry);
        Gauge.builder("finetune.queue.depth", this, g -> g.snapshot.depth.leased()).tag("state", "leased")
                .description("Jobs under a live worker lease (exported by one API replica; 0 on the others)").register(registry);
        Gauge.builder("finetune.queue.depth", this, g -> g.snapshot.depth.expiredLeases()).tag("state", "expired_lease")
                .description("Jobs whose worker stopped renewing its lease (one API replica; 0 on the others)").register(registry);
        for (JobStatus status : JobStatus.values()) {
            Gauge.builder("finetune.jobs", this, g -> g.snapshot.byStatus.getOrDefault(status, 0L))
                    .tag("status", status.wireName()).description("Jobs by status (one API replica; 0 on the others)")
                    .register(registry);
        }
        Gauge.builder("finetune.metrics.reporter", this, g -> g.snapshot.reporter ? 1 : 0)
                .description("1 on the API replica that exports the platform-wide gauges").register(registry);
    }

    /** Reads the tables if this replica is the reporter; exports zeros otherwise. */
    void refresh() {
        try {
            if (!lease.holdOrTake()) {
                snapshot = QUIET;
                return;
            }
            Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
            jdbc.sql("SELECT status, count(*) AS n FROM fine_tuning_jobs GROUP BY status")
                    .query((rs, i) -> counts.put(JobStatus.fromWire(rs.getString("status")), rs.getLong("n")))
                    .list();
            snapshot = new Snapshot(true, queue.depth(), counts);
        } catch (RuntimeException e) {
            // the database is unreachable: readiness says so; the gauges keep their last values
            log.debug("platform gauges not refreshed: {}", e.toString());
        }
    }

    @Override
    public synchronized void start() {
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "platform-gauges");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void stop() {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher = null;
            try {
                lease.release();
            } catch (RuntimeException e) {
                log.debug("reporter lease not released: {}", e.toString());
            }
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return refresher != null;
    }

    private record Snapshot(boolean reporter, QueueDepth depth, Map<JobStatus, Long> byStatus) {
    }
}
