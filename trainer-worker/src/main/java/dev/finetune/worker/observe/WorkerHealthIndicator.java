package dev.finetune.worker.observe;

import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.lease.WorkerState;
import dev.finetune.worker.loop.WorkerLoop;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code worker}: UP while the training thread runs, with the
 * job it holds (id, tenant, phase, step of total, attempt); OUT_OF_SERVICE while it drains for a
 * shutdown; DOWN when the thread has died.
 */
@Component("worker")
class WorkerHealthIndicator implements HealthIndicator {

    private final WorkerLoop loop;
    private final WorkerState state;

    WorkerHealthIndicator(WorkerLoop loop, WorkerState state) {
        this.loop = loop;
        this.state = state;
    }

    @Override
    public Health health() {
        Health.Builder health;
        if (!loop.isEnabled()) {
            health = Health.up().withDetail("claiming", false);
        } else if (loop.isStopping()) {
            health = Health.outOfService();
        } else if (!loop.isAlive()) {
            health = Health.down().withDetail("reason", "the training thread is not running");
        } else {
            health = Health.up();
        }
        health.withDetail("workerId", loop.workerId().value());
        ActiveJob job = state.current().orElse(null);
        if (job == null) {
            return health.withDetail("state", "idle").build();
        }
        return health.withDetail("state", job.phase())
                .withDetail("jobId", job.jobId().toString())
                .withDetail("tenantId", job.tenantId().toString())
                .withDetail("step", job.step())
                .withDetail("totalSteps", job.totalSteps())
                .withDetail("attempt", job.attempt())
                .build();
    }
}
