package dev.finetune.core.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Prometheus counters of the job lifecycle, counted after commit by the process that made the
 * change, so {@code sum()} over every API and worker process is the platform's total:
 * <ul>
 *   <li>{@code finetune_jobs_submitted_total{method}}: jobs accepted;</li>
 *   <li>{@code finetune_jobs_finished_total{outcome}}: jobs that reached succeeded, failed or
 *   cancelled, whoever ended them (a worker, a cancel through the API, the reaper of lost leases).</li>
 * </ul>
 * The events come from {@link FineTuningJob} and from the queue's own statements.
 */
public class JobOutcomeMeters {

    private final ObjectProvider<MeterRegistry> registry;

    public JobOutcomeMeters(ObjectProvider<MeterRegistry> registry) {
        this.registry = registry;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void submitted(JobSubmitted event) {
        registry.ifAvailable(r -> Counter.builder("finetune.jobs.submitted").description("fine-tuning jobs accepted")
                .tag("method", event.method().wireName()).register(r).increment());
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void changed(JobStatusChanged event) {
        if (event.to().isTerminal()) {
            registry.ifAvailable(r -> Counter.builder("finetune.jobs.finished")
                    .description("fine-tuning jobs that ended, by outcome")
                    .tag("outcome", event.to().wireName()).register(r).increment());
        }
    }
}
