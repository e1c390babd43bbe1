package dev.finetune.core.queue;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.job.JobStatusChanged;
import dev.finetune.core.tenant.TenantId;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * PostgreSQL job queue over the {@code fine_tuning_jobs} table. Each method runs one statement in
 * its own short transaction (REQUIRES_NEW, so a caller's open transaction never holds a row lock
 * longer than needed). Every status change here also bumps {@code version}, so a stale JPA
 * entity cannot overwrite it. The status changes its statements make are published as
 * {@link JobStatusChanged} in the same transaction, as the aggregate's own changes are, so a
 * listener after commit sees every transition once.
 */
public class JobQueue {

    private static final String CLAIM = JobStatus.sql("""
            WITH busy AS (
                SELECT tenant_id, count(*) AS held
                  FROM fine_tuning_jobs
                 WHERE status IN ({RUNNING}, {CANCELLING}) AND lease_expires_at >= now()
                 GROUP BY tenant_id),
            next AS (
                SELECT j.id, j.lease_owner AS previous_owner
                  FROM fine_tuning_jobs j
                  LEFT JOIN busy b ON b.tenant_id = j.tenant_id
                 WHERE j.status = {QUEUED}
                    OR (j.status = {RUNNING} AND j.lease_expires_at < now() AND j.attempt < :maxAttempts)
                 ORDER BY j.status = {RUNNING} DESC, coalesce(b.held, 0), j.created_at, j.id
                 LIMIT 1
                   FOR UPDATE OF j SKIP LOCKED)
            UPDATE fine_tuning_jobs j
               SET status = {RUNNING},
                   lease_owner = :worker,
                   lease_expires_at = now() + :leaseMs * interval '1 millisecond',
                   heartbeat_at = now(),
                   attempt = j.attempt + 1,
                   started_at = coalesce(j.started_at, now()),
                   version = j.version + 1
              FROM next
             WHERE j.id = next.id
            RETURNING j.id, j.tenant_id, j.attempt, j.lease_expires_at, next.previous_owner
            """);

    private static final String HEARTBEAT = JobStatus.sql("""
            UPDATE fine_tuning_jobs
               SET lease_expires_at = now() + :leaseMs * interval '1 millisecond', heartbeat_at = now()
             WHERE id = :id AND lease_owner = :worker AND status IN ({RUNNING}, {CANCELLING})
            RETURNING status
            """);

    private static final String RELEASE = JobStatus.sql("""
            WITH before AS (SELECT id, status FROM fine_tuning_jobs WHERE id = :id AND lease_owner = :worker FOR UPDATE)
            UPDATE fine_tuning_jobs j
               SET status = CASE j.status WHEN {RUNNING} THEN {QUEUED} WHEN {CANCELLING} THEN {CANCELLED} ELSE j.status END,
                   finished_at = CASE WHEN j.status = {CANCELLING} THEN now() ELSE j.finished_at END,
                   lease_owner = NULL, lease_expires_at = NULL,
                   version = j.version + 1
              FROM before
             WHERE j.id = before.id
            RETURNING j.id, j.tenant_id, before.status AS previous, j.status
            """);

    private static final String REAP = JobStatus.sql("""
            UPDATE fine_tuning_jobs
               SET status = CASE status WHEN {CANCELLING} THEN {CANCELLED} ELSE {FAILED} END,
                   error_code = CASE status WHEN {CANCELLING} THEN error_code ELSE 'worker_lost' END,
                   error_message = CASE status WHEN {CANCELLING} THEN error_message
                       ELSE 'the job lost its worker ' || attempt || ' times' END,
                   finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
                   version = version + 1
             WHERE lease_expires_at < now()
               AND (status = {CANCELLING} OR (status = {RUNNING} AND attempt >= :maxAttempts))
            RETURNING id, tenant_id, CASE status WHEN {CANCELLED} THEN {CANCELLING} ELSE {RUNNING} END AS previous, status,
                      error_code, error_message
            """);

    private static final String DEPTH = JobStatus.sql("""
            SELECT count(*) FILTER (WHERE status = {QUEUED}) AS queued,
                   count(*) FILTER (WHERE status IN ({RUNNING}, {CANCELLING}) AND lease_expires_at >= now()) AS leased,
                   count(*) FILTER (WHERE status IN ({RUNNING}, {CANCELLING}) AND lease_expires_at < now()) AS expired
              FROM fine_tuning_jobs
             WHERE status IN ({QUEUED}, {RUNNING}, {CANCELLING})
            """);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final int maxAttempts;
    private final ApplicationEventPublisher events;

    public JobQueue(JdbcClient jdbc, PlatformTransactionManager transactions, int maxAttempts, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
        this.tx = new TransactionTemplate(transactions);
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.tx.setTimeout(10);
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max_attempts must be > 0");
        }
        this.maxAttempts = maxAttempts;
    }

    /**
     * Claims the next job, empty when there is none. A running job whose lease expired comes first (it
     * resumes from its checkpoint); then queued jobs, fairly across tenants: those of the tenant that
     * holds the fewest leases right now, oldest first. So a tenant with twenty queued jobs cannot keep
     * another tenant's single job waiting behind all of them.
     */
    public Optional<ClaimedJob> claimNext(WorkerId worker, Duration lease) {
        long leaseMs = positiveMillis(lease);
        return tx.execute(status -> jdbc.sql(CLAIM)
                .param("worker", worker.value())
                .param("leaseMs", leaseMs)
                .param("maxAttempts", maxAttempts)
                .query((rs, n) -> claimed(rs, worker))
                .optional());
    }

    /**
     * Renews the lease and tells the holder the job's status, so a worker learns of a cancel request
     * ({@code cancelling}) on its next heartbeat; empty when this worker no longer holds the lease.
     */
    public Optional<JobStatus> renew(JobId job, WorkerId worker, Duration lease) {
        long leaseMs = positiveMillis(lease);
        return tx.execute(status -> jdbc.sql(HEARTBEAT)
                .param("leaseMs", leaseMs).param("id", job.value()).param("worker", worker.value())
                .query((rs, n) -> JobStatus.fromWire(rs.getString("status")))
                .optional());
    }

    /**
     * Gives the lease back. A job still running goes back to the queue, a cancelling one becomes
     * cancelled; a finished job just loses its lease. A worker that no longer holds the lease changes nothing.
     */
    public void release(JobId job, WorkerId worker) {
        tx.executeWithoutResult(status -> jdbc.sql(RELEASE)
                .param("id", job.value()).param("worker", worker.value())
                .query(JobQueue::changed).list().forEach(this::publish));
    }

    /**
     * Ends jobs whose worker is gone for good: cancelling ones become cancelled, running ones that
     * used up their attempts become failed ({@code worker_lost}). Returns how many rows changed.
     */
    public int reapAbandoned() {
        Integer rows = tx.execute(status -> {
            List<JobStatusChanged> reaped = jdbc.sql(REAP).param("maxAttempts", maxAttempts).query(JobQueue::reaped).list();
            reaped.forEach(this::publish);
            return reaped.size();
        });
        return rows == null ? 0 : rows;
    }

    public QueueDepth depth() {
        return tx.execute(status -> jdbc.sql(DEPTH)
                .query((rs, n) -> new QueueDepth(rs.getLong("queued"), rs.getLong("leased"), rs.getLong("expired")))
                .single());
    }

    private static JobStatusChanged changed(ResultSet rs, int row) throws SQLException {
        return new JobStatusChanged(new JobId(rs.getObject("id", java.util.UUID.class)),
                new TenantId(rs.getObject("tenant_id", java.util.UUID.class)),
                JobStatus.fromWire(rs.getString("previous")), JobStatus.fromWire(rs.getString("status")), Instant.now());
    }

    /** A reaped job: a failed one says why (its error), a cancelled one needs no words. */
    private static JobStatusChanged reaped(ResultSet rs, int row) throws SQLException {
        JobStatusChanged change = changed(rs, row);
        if (change.to() != JobStatus.FAILED) {
            return change;
        }
        return new JobStatusChanged(change.jobId(), change.tenantId(), change.from(), change.to(), change.at(),
                rs.getString("error_message"), Map.of("code", rs.getString("error_code")));
    }

    private void publish(JobStatusChanged change) {
        if (change.from() != change.to()) {
            events.publishEvent(change);
        }
    }

    private static ClaimedJob claimed(ResultSet rs, WorkerId worker) throws SQLException {
        return new ClaimedJob(
                new JobId(rs.getObject("id", java.util.UUID.class)),
                new TenantId(rs.getObject("tenant_id", java.util.UUID.class)),
                worker,
                rs.getInt("attempt"),
                rs.getObject("lease_expires_at", java.time.OffsetDateTime.class).toInstant(),
                Optional.ofNullable(rs.getString("previous_owner")));
    }

    private static long positiveMillis(Duration lease) {
        if (lease == null || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be a positive duration");
        }
        return lease.toMillis();
    }
}
