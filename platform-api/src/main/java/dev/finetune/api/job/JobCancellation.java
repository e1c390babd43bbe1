package dev.finetune.api.job;

import java.time.Instant;
import java.util.UUID;

import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.security.Caller;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A tenant's cancel, for both surfaces ({@code /api/v1/fine-tuning/jobs/{id}/cancel} and the
 * OpenAI-compatible {@code /v1/fine_tuning/jobs/{id}/cancel}): queued (or validating) jobs are
 * cancelled at once; a running job becomes cancelling and its worker stops after the step in
 * progress (its next heartbeat brings the request in); cancelling again is a no-op; a finished job
 * is an {@code IllegalJobTransitionException} (409).
 */
@Component
public class JobCancellation {

    private final FineTuningJobRepository jobs;
    private final TransactionTemplate tx;

    JobCancellation(FineTuningJobRepository jobs, TransactionTemplate tx) {
        this.jobs = jobs;
        this.tx = tx;
    }

    public FineTuningJob cancel(Caller caller, UUID jobId) {
        caller.require(ApiKeyScope.SUBMIT);
        return tx.execute(s -> {
            FineTuningJob j = jobs.find(caller.tenant(), new JobId(jobId))
                    .orElseThrow(() -> PlatformProblem.notFound("job", jobId));
            if (j.status() == JobStatus.CANCELLING) {
                return j;
            }
            j.requestCancel(Instant.now());
            return jobs.saveAndFlush(j);
        });
    }
}
