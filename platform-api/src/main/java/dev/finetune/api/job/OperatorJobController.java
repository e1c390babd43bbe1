package dev.finetune.api.job;

import java.time.Instant;
import java.util.UUID;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What only the platform's operator may do to any tenant's job: cancel it (a runaway job holding a
 * worker), with a reason that goes into the job's events as a line the tenant reads. Every other
 * key gets 403; tenants keep their own 404s for each other's jobs.
 */
@RestController
@RequestMapping("/api/v1/operator/fine-tuning/jobs")
class OperatorJobController {

    private final FineTuningJobRepository jobs;
    private final JobViews views;
    private final TransactionTemplate tx;

    OperatorJobController(FineTuningJobRepository jobs, JobViews views, TransactionTemplate tx) {
        this.jobs = jobs;
        this.views = views;
        this.tx = tx;
    }

    record OperatorCancel(@NotBlank @Size(max = 500) String reason) {
    }

    @PostMapping("/{jobId}/cancel")
    JobView cancel(@AuthenticationPrincipal Caller caller, @PathVariable UUID jobId, @Valid @RequestBody OperatorCancel body) {
        if (!caller.operator()) {
            throw new PlatformProblem(ProblemKind.FORBIDDEN_SCOPE, "only the operator key may cancel another tenant's job")
                    .with("requiredScope", "operator");
        }
        FineTuningJob job = tx.execute(s -> {
            FineTuningJob j = jobs.find(new JobId(jobId)).orElseThrow(() -> PlatformProblem.notFound("job", jobId));
            if (j.status() == JobStatus.CANCELLING) {
                return j;
            }
            j.cancelByOperator(Instant.now(), caller.keyPrefix(), body.reason().strip());
            return jobs.saveAndFlush(j);
        });
        return views.asOwnerSeesIt(job);
    }
}
