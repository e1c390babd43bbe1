package dev.finetune.api.job;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.finetune.api.ListPage;
import dev.finetune.api.job.ProgressViews.CheckpointView;
import dev.finetune.api.job.ProgressViews.EventView;
import dev.finetune.api.job.ProgressViews.MetricView;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobId;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.progress.JobCheckpointRepository;
import dev.finetune.core.progress.JobEvent;
import dev.finetune.core.progress.JobEventRepository;
import dev.finetune.core.progress.JobMetric;
import dev.finetune.core.progress.JobMetricRepository;
import dev.finetune.core.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * What a job reports: events (a JSON page after a cursor, or with {@code Accept:
 * text/event-stream} a live stream that resumes from {@code Last-Event-ID}), per-step metrics and
 * checkpoints.
 */
@RestController
@RequestMapping("/api/v1/fine-tuning/jobs/{jobId}")
@Tag(name = "Jobs", description = "Fine-tuning jobs: create, list, get, cancel")
class JobProgressController {

    private final FineTuningJobRepository jobs;
    private final JobEventRepository events;
    private final JobMetricRepository metrics;
    private final JobCheckpointRepository checkpoints;
    private final JobEventStreams streams;

    JobProgressController(FineTuningJobRepository jobs, JobEventRepository events, JobMetricRepository metrics,
            JobCheckpointRepository checkpoints, JobEventStreams streams) {
        this.jobs = jobs;
        this.events = events;
        this.metrics = metrics;
        this.checkpoints = checkpoints;
        this.streams = streams;
    }

    @Operation(operationId = "listJobEvents", summary = "A job's events, oldest first, after a cursor")
    @GetMapping(value = "/events", produces = MediaType.APPLICATION_JSON_VALUE)
    ListPage<EventView> events(@AuthenticationPrincipal Caller caller, @PathVariable UUID jobId,
            @RequestParam(defaultValue = "0") @Min(0) long after,
            @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        caller.require(ApiKeyScope.READ);
        FineTuningJob job = find(caller, jobId);
        List<JobEvent> rows = events.after(job.id(), after, limit + 1);
        return ListPage.fromOverfetch(rows, limit, EventView::of, e -> String.valueOf(e.id()));
    }

    @Operation(operationId = "streamJobEvents", summary = "A job's events as a server-sent event stream",
            description = "id: is the event id (Last-Event-ID resumes); event: end, then close, once the job is terminal",
            responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200",
                    description = "event: event (data: an EventView), then event: end (data: {status})",
                    content = @io.swagger.v3.oas.annotations.media.Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                            schema = @io.swagger.v3.oas.annotations.media.Schema(type = "string"))))
    @GetMapping(value = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(@AuthenticationPrincipal Caller caller, @PathVariable UUID jobId,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @RequestParam(required = false) Long after) {
        caller.require(ApiKeyScope.READ);
        FineTuningJob job = find(caller, jobId);
        long from = after != null ? after : parseLastEventId(lastEventId);
        return streams.open(caller, job.id(), from);
    }

    @Operation(operationId = "listJobMetrics", summary = "A job's per-step metrics")
    @GetMapping("/metrics")
    ListPage<MetricView> metrics(@AuthenticationPrincipal Caller caller, @PathVariable UUID jobId) {
        caller.require(ApiKeyScope.READ);
        FineTuningJob job = find(caller, jobId);
        return ListPage.of(metrics.of(job.id()).stream().map(MetricView::of).toList());
    }

    @Operation(operationId = "listJobCheckpoints", summary = "A job's checkpoints")
    @GetMapping("/checkpoints")
    ListPage<CheckpointView> checkpoints(@AuthenticationPrincipal Caller caller, @PathVariable UUID jobId) {
        caller.require(ApiKeyScope.READ);
        FineTuningJob job = find(caller, jobId);
        Map<Integer, JobMetric> byStep = metrics.of(job.id()).stream()
                .collect(Collectors.toMap(JobMetric::step, Function.identity(), (a, b) -> a));
        return ListPage.of(checkpoints.findByIdJobIdOrderByIdStepAsc(job.id().value()).stream()
                .map(c -> CheckpointView.of(c, byStep.get(c.step()))).toList());
    }

    private FineTuningJob find(Caller caller, UUID id) {
        return jobs.find(caller.tenant(), new JobId(id)).orElseThrow(() -> PlatformProblem.notFound("job", id));
    }

    private static long parseLastEventId(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
