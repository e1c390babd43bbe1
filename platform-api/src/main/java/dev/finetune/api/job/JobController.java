package dev.finetune.api.job;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import dev.finetune.api.ListPage;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Fine-tuning jobs: create (idempotent with {@code Idempotency-Key}), list, get, cancel. */
@RestController
@RequestMapping("/api/v1/fine-tuning/jobs")
@Tag(name = "Jobs", description = "Fine-tuning jobs: create, list, get, cancel")
class JobController {

    private final JobSubmission submission;
    private final FineTuningJobRepository jobs;
    private final JobQueries queries;
    private final JobViews views;
    private final SegmentRepository segments;
    private final JobCancellation cancellation;

    JobController(JobSubmission submission, FineTuningJobRepository jobs, JobQueries queries, JobViews views,
            SegmentRepository segments, JobCancellation cancellation) {
        this.submission = submission;
        this.jobs = jobs;
        this.queries = queries;
        this.views = views;
        this.segments = segments;
        this.cancellation = cancellation;
    }

    /** 201 with the new job; 200 with the same job when an Idempotency-Key call is retried. */
    @Operation(operationId = "createJob", summary = "Create a fine-tuning job",
            description = "Idempotent with an Idempotency-Key: a retry answers 200 with the same job; the same key with a"
                    + " different request is a 422 idempotency-mismatch. Settings are checked against the base model.",
            responses = {
                @ApiResponse(responseCode = "201", description = "Created (queued); Location names it",
                        content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = JobView.class))),
                @ApiResponse(responseCode = "200", description = "The job an earlier call with this Idempotency-Key created",
                        content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = JobView.class)))})
    @PostMapping
    ResponseEntity<JobView> create(@AuthenticationPrincipal Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @Valid @RequestBody CreateJobRequest request) {
        caller.require(ApiKeyScope.SUBMIT);
        JobSubmission.Outcome outcome = submission.submit(caller, request, idempotencyKey);
        JobView view = JobView.of(outcome.job(), outcome.modelName(), outcome.segmentName());
        MDC.put("jobId", view.id());
        return outcome.created()
                ? ResponseEntity.created(URI.create("/api/v1/fine-tuning/jobs/" + view.id())).body(view)
                : ResponseEntity.status(HttpStatus.OK).body(view);
    }

    @Operation(operationId = "listJobs", summary = "List fine-tuning jobs, newest first")
    @GetMapping
    ListPage<JobView> list(@AuthenticationPrincipal Caller caller,
            @Parameter(schema = @Schema(allowableValues = {"validating_files", "queued", "running", "cancelling",
                    "succeeded", "failed", "cancelled"})) @RequestParam(required = false) String status,
            @RequestParam(required = false) String segment, @RequestParam(required = false) UUID after,
            @RequestParam(defaultValue = "20") @Min(1) @Max(100) int limit) {
        caller.require(ApiKeyScope.READ);
        JobStatus wanted = null;
        if (status != null) {
            try {
                wanted = JobStatus.fromWire(status);
            } catch (IllegalArgumentException e) {
                throw new PlatformProblem(ProblemKind.VALIDATION, e.getMessage()).with("param", "status");
            }
        }
        UUID segmentId = null;
        if (segment != null) {
            if (!SegmentName.PATTERN.matcher(segment).matches()) {
                return ListPage.of(List.of());
            }
            var found = segments.find(caller.tenant(), new SegmentName(segment));
            if (found.isEmpty()) {
                return ListPage.of(List.of());
            }
            segmentId = found.get().id().value();
        }
        FineTuningJob cursor = after == null ? null : find(caller, after);
        List<FineTuningJob> rows = queries.page(caller.tenant().value(), wanted, segmentId, cursor, limit + 1);
        return ListPage.fromOverfetch(rows, limit, views.forCaller(caller), j -> j.id().toString());
    }

    @Operation(operationId = "getJob", summary = "Get a fine-tuning job")
    @GetMapping("/{jobId}")
    JobView get(@AuthenticationPrincipal Caller caller, @PathVariable UUID jobId) {
        caller.require(ApiKeyScope.READ);
        return views.of(caller, find(caller, jobId));
    }

    /** See {@link JobCancellation}: queued jobs end at once, running ones become cancelling; finished ones are 409. */
    @Operation(operationId = "cancelJob", summary = "Cancel a fine-tuning job",
            description = "queued -> cancelled at once; running -> cancelling; cancelling -> no-op; finished -> 409")
    @PostMapping("/{jobId}/cancel")
    JobView cancel(@AuthenticationPrincipal Caller caller, @PathVariable UUID jobId) {
        return views.of(caller, cancellation.cancel(caller, jobId));
    }

    private FineTuningJob find(Caller caller, UUID id) {
        return jobs.find(caller.tenant(), new JobId(id)).orElseThrow(() -> PlatformProblem.notFound("job", id));
    }
}
