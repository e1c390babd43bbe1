package dev.finetune.api.observability;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

import dev.finetune.core.job.JobStatus;
import dev.finetune.core.queue.JobQueue;
import dev.finetune.core.queue.QueueDepth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Prometheus gauges {@code finetune_queue_depth{state=queued|leased|expired_lease}} and
 * {@code finetune_jobs{status=...}}. Both come from one snapshot that is refreshed at most every
 * few seconds, so a scrape costs two queries however many gauges it reads.
 */
@Component
class JobGauges {

    private static final Duration MAX_AGE = Duration.ofSeconds(5);

    private final JobQueue queue;
    private final JdbcClient jdbc;
    private volatile Snapshot snapshot;

    JobGauges(JobQueue queue, JdbcClient jdbc, MeterRegistry registry) {
        this.queue = queue;
        this.jdbc = jdbc;
        Gauge.builder("finetune.queue.depth", this, g -> g.current().depth.queued()).tag("state", "queued")
                .description("Jobs waiting for a worker").register(registry);
        Gauge.builder("finetune.queue.depth", this, g -> g.current().depth.leased()).tag("state", "leased")
                .description("Jobs under a live worker lease").register(registry);
        Gauge.builder("finetune.queue.depth", this, g -> g.current().depth.expiredLeases()).tag("state", "expired_lease")
                .description("Jobs whose worker stopped renewing its lease").register(registry);
        for (JobStatus status : JobStatus.values()) {
            Gauge.builder("finetune.jobs", this, g -> g.current().byStatus.getOrDefault(status, 0L))
                    .tag("status", status.wireName()).description("Jobs by status").register(registry);
        }
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (s == null || s.at.isBefore(Instant.now().minus(MAX_AGE))) {
            Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
            jdbc.sql("SELECT status, count(*) AS n FROM fine_tuning_jobs GROUP BY status")
                    .query((rs, i) -> counts.put(JobStatus.fromWire(rs.getString("status")), rs.getLong("n")))
                    .list();
            s = new Snapshot(Instant.now(), queue.depth(), counts);
            snapshot = s;
        }
        return s;
    }

    private record Snapshot(Instant at, QueueDepth depth, Map<JobStatus, Long> byStatus) {
    }
}
