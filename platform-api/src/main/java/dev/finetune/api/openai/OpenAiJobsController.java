package dev.finetune.api.openai;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.finetune.api.job.JobCancellation;
import dev.finetune.api.job.JobQueries;
import dev.finetune.api.job.JobSubmission;
import dev.finetune.api.job.JobView;
import dev.finetune.api.job.JobViews;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobId;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.progress.JobCheckpoint;
import dev.finetune.core.progress.JobCheckpointRepository;
import dev.finetune.core.progress.JobEventRepository;
import dev.finetune.core.progress.JobMetric;
import dev.finetune.core.progress.JobMetricRepository;
import dev.finetune.core.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.MDC;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * OpenAI's {@code /v1/fine_tuning/jobs} over the native job logic: create ({@link JobSubmission},
 * {@code Idempotency-Key} honoured: a retry answers the same job), list ({@link JobQueries}),
 * retrieve, cancel ({@link JobCancellation}), events (newest first) and checkpoints (newest first),
 * each in OpenAI's shapes ({@link OpenAiJob}, {@link OpenAiJobEvent}, {@link OpenAiCheckpoint}).
 * Every answer is 200, as OpenAI's; errors are OpenAI's error objects.
 */
@RestController
@RequestMapping(value = "/v1/fine_tuning/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "OpenAI-compatible fine-tuning", description = "OpenAI's /v1/fine_tuning/jobs over the native jobs")
class OpenAiJobsController {

    private final OpenAiJobRequests requests;
    private final JobSubmission submission;
    private final JobCancellation cancellation;
    private final JobQueries queries;
    private final JobViews views;
    private final FineTuningJobRepository jobs;
    private final JobEventRepository events;
    private final JobCheckpointRepository checkpoints;
    private final JobMetricRepository metrics;

    OpenAiJobsController(OpenAiJobRequests requests, JobSubmission submission, JobCancellation cancellation,
            JobQueries queries, JobViews views, FineTuningJobRepository jobs, JobEventRepository events,
            JobCheckpointRepository checkpoints, JobMetricRepository metrics) {
        this.requests = requests;
        this.submission = submission;
        this.cancellation = cancellation;
        this.queries = queries;
        this.views = views;
        this.jobs = jobs;
        this.events = events;
        this.checkpoints = checkpoints;
        this.metrics = metrics;
    }

    @Operation(operationId = "openaiCreateFineTuningJob", summary = "Create a fine-tuning job (OpenAI fine_tuning.jobs.create)",
            description = "A retry with the same Idempotency-Key answers the same job; the same key with a different"
                    + " request is a 422 idempotency_mismatch.")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    OpenAiJob create(@AuthenticationPrincipal Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestBody OpenAiJobRequest body) {
        caller.require(ApiKeyScope.SUBMIT);
        JobSubmission.Outcome outcome = submission.submit(caller, requests.toNative(body), idempotencyKey);
        JobView view = JobView.of(outcome.job(), outcome.modelName(), outcome.segmentName());
        MDC.put("jobId", view.id());
        return OpenAiJob.of(view, caller.tenant().toString());
    }

    @Operation(operationId = "openaiListFineTuningJobs", summary = "List fine-tuning jobs, newest first (OpenAI fine_tuning.jobs.list)")
    @GetMapping
    OpenAiList<OpenAiJob> list(@AuthenticationPrincipal Caller caller,
            @Parameter(description = "the id of the last job of the previous page") @RequestParam(required = false) String after,
            @Parameter(description = "1 to 100, default 20") @RequestParam(required = false) Integer limit,
            @Parameter(hidden = true) HttpServletRequest request) {
        caller.require(ApiKeyScope.READ);
        refuseMetadataFilter(request);
        int max = Ids.limit(limit, 20, 100);
        UUID cursorId = Ids.cursor(after, "after");
        FineTuningJob cursor = cursorId == null ? null : jobs.find(caller.tenant(), new JobId(cursorId))
                .orElseThrow(() -> PlatformProblem.notFound("job", cursorId).with("param", "after"));
        List<FineTuningJob> rows = queries.page(caller.tenant().value(), null, null, cursor, max + 1);
        Function<FineTuningJob, JobView> view = views.forCaller(caller);
        String tenant = caller.tenant().toString();
        return OpenAiList.fromOverfetch(rows.stream().map(j -> OpenAiJob.of(view.apply(j), tenant)).toList(), max,
                OpenAiJob::id);
    }

    @Operation(operationId = "openaiRetrieveFineTuningJob", summary = "Get a fine-tuning job (OpenAI fine_tuning.jobs.retrieve)")
    @GetMapping("/{jobId}")
    OpenAiJob retrieve(@AuthenticationPrincipal Caller caller, @PathVariable String jobId) {
        caller.require(ApiKeyScope.READ);
        return OpenAiJob.of(views.of(caller, find(caller, jobId)), caller.tenant().toString());
    }

    @Operation(operationId = "openaiCancelFineTuningJob", summary = "Cancel a fine-tuning job (OpenAI fine_tuning.jobs.cancel)",
            description = "A queued job is cancelled at once; a running one stops after the step in progress (status"
                    + " running, platform_status cancelling, until then); a finished job is a 409 with x-should-retry: false.")
    @PostMapping("/{jobId}/cancel")
    OpenAiJob cancel(@AuthenticationPrincipal Caller caller, @PathVariable String jobId) {
        FineTuningJob job = cancellation.cancel(caller, Ids.parse(jobId, "job"));
        return OpenAiJob.of(views.of(caller, job), caller.tenant().toString());
    }

    @Operation(operationId = "openaiListFineTuningEvents", summary = "A job's events, newest first (OpenAI fine_tuning.jobs.listEvents)")
    @GetMapping("/{jobId}/events")
    OpenAiList<OpenAiJobEvent> events(@AuthenticationPrincipal Caller caller, @PathVariable String jobId,
            @Parameter(description = "the id of the last event of the previous page") @RequestParam(required = false) String after,
            @Parameter(description = "1 to 1000, default 20") @RequestParam(required = false) Integer limit) {
        caller.require(ApiKeyScope.READ);
        FineTuningJob job = find(caller, jobId);
        int max = Ids.limit(limit, 20, 1000);
        Long before = null;
        if (after != null && !after.isBlank()) {
            try {
                before = Long.parseLong(after.trim());
            } catch (NumberFormatException e) {
                throw new PlatformProblem(ProblemKind.VALIDATION, "after must be the id of an event of an earlier page")
                        .with("param", "after");
            }
        }
        List<OpenAiJobEvent> rows = events.newestFirst(job.id(), before, max + 1).stream().map(OpenAiJobEvent::of).toList();
        return OpenAiList.fromOverfetch(rows, max, OpenAiJobEvent::id);
    }

    @Operation(operationId = "openaiListFineTuningCheckpoints",
            summary = "A job's checkpoints, newest first (OpenAI fine_tuning.jobs.checkpoints.list)")
    @GetMapping("/{jobId}/checkpoints")
    OpenAiList<OpenAiCheckpoint> checkpoints(@AuthenticationPrincipal Caller caller, @PathVariable String jobId,
            @Parameter(description = "the id of the last checkpoint of the previous page") @RequestParam(required = false) String after,
            @Parameter(description = "1 to 100, default 10") @RequestParam(required = false) Integer limit) {
        caller.require(ApiKeyScope.READ);
        FineTuningJob job = find(caller, jobId);
        int max = Ids.limit(limit, 10, 100);
        Map<Integer, JobMetric> byStep = metrics.of(job.id()).stream()
                .collect(Collectors.toMap(JobMetric::step, Function.identity(), (a, b) -> a));
        List<JobCheckpoint> all = new ArrayList<>(checkpoints.findByIdJobIdOrderByIdStepAsc(job.id().value()));
        all.sort(Comparator.comparingInt(JobCheckpoint::step).reversed());
        List<OpenAiCheckpoint> rows = all.stream().map(c -> OpenAiCheckpoint.of(c, byStep.get(c.step()))).toList();
        if (after != null && !after.isBlank()) {
            int at = rows.stream().map(OpenAiCheckpoint::id).toList().indexOf(after.trim());
            if (at < 0) {
                throw new PlatformProblem(ProblemKind.VALIDATION, "after must be the id of a checkpoint of an earlier page")
                        .with("param", "after");
            }
            rows = rows.subList(at + 1, rows.size());
        }
        return OpenAiList.fromOverfetch(rows.subList(0, Math.min(rows.size(), max + 1)), max, OpenAiCheckpoint::id);
    }

    private FineTuningJob find(Caller caller, String id) {
        UUID uuid = Ids.parse(id, "job");
        return jobs.find(caller.tenant(), new JobId(uuid)).orElseThrow(() -> PlatformProblem.notFound("job", uuid));
    }

    /** OpenAI's {@code metadata[key]=value} filter is not implemented: refused, never silently ignored. */
    private static void refuseMetadataFilter(HttpServletRequest request) {
        String query = request.getQueryString();
        if (query == null) {
            return;
        }
        for (String pair : query.split("&")) {
            String name = java.net.URLDecoder.decode(pair.split("=", 2)[0], java.nio.charset.StandardCharsets.UTF_8);
            if (name.startsWith("metadata")) {
                throw new PlatformProblem(ProblemKind.VALIDATION, "filtering jobs by metadata is not supported;"
                        + " list them and read each job's metadata").with("param", name);
            }
        }
    }
}
