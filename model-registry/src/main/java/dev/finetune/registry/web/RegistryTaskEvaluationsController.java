package dev.finetune.registry.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.UUID;

import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.core.storage.ArtifactNotFoundException;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.registry.TaskEvaluation;
import dev.finetune.registry.TaskEvaluations;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * On-demand task evaluations of a version against any of the tenant's datasets: queued here, run by
 * a worker (202 Accepted, then poll), never in the API.
 */
@RestController
class RegistryTaskEvaluationsController {

    /** JSON Lines, one object per prompt (the registered {@code application/jsonl} type). */
    static final String JSONL = "application/jsonl";

    private final TaskEvaluations evaluations;
    private final ArtifactStore store;

    RegistryTaskEvaluationsController(TaskEvaluations evaluations, ArtifactStore store) {
        this.evaluations = evaluations;
        this.store = store;
    }

    @PostMapping("/api/v1/registry/repositories/{segment}/versions/{number}/task-evaluations")
    @ResponseStatus(HttpStatus.ACCEPTED) // for the OpenAPI document: queued, not created (the body says so too)
    ResponseEntity<TaskEvaluation> request(@AuthenticationPrincipal Caller caller, @PathVariable String segment,
            @PathVariable int number, @RequestBody EvaluationRequest body) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        DatasetId dataset = datasetId(body.dataset());
        TaskEvaluation queued = evaluations.request(submitter.tenant(), Requests.segment(segment), number, dataset,
                body.maxExamples() == null ? 50 : body.maxExamples(), body.maxNewTokens() == null ? 64 : body.maxNewTokens(),
                body.extractor(), Requests.actor(submitter));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(queued);
    }

    @GetMapping("/api/v1/registry/repositories/{segment}/versions/{number}/task-evaluations")
    List<TaskEvaluation> list(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number) {
        Caller reader = Requests.require(caller, ApiKeyScope.READ);
        return evaluations.ofVersion(reader.tenant(), Requests.segment(segment), number);
    }

    @GetMapping("/api/v1/registry/task-evaluations/{id}")
    TaskEvaluation one(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        Caller reader = Requests.require(caller, ApiKeyScope.READ);
        UUID uuid = uuid(id);
        return evaluations.find(reader.tenant(), uuid).orElseThrow(() -> PlatformProblem.notFound("task evaluation", id));
    }

    /**
     * The per-prompt answers of a succeeded evaluation: one JSON object per line with the prompt, the
     * expected answer, and the base model's and the adapter's answers with their scores. Streamed from
     * object storage on the request thread, so a missing file is a 404 before any byte is written.
     */
    @GetMapping("/api/v1/registry/task-evaluations/{id}/examples")
    void examples(@AuthenticationPrincipal Caller caller, @PathVariable String id, HttpServletResponse response)
            throws IOException {
        Caller reader = Requests.require(caller, ApiKeyScope.READ);
        UUID uuid = uuid(id);
        TaskEvaluation evaluation = evaluations.find(reader.tenant(), uuid)
                .orElseThrow(() -> PlatformProblem.notFound("task evaluation", id));
        if (evaluation.examplesFile() == null && "succeeded".equals(evaluation.status())) {
            throw new PlatformProblem(ProblemKind.NOT_FOUND, "task evaluation " + id + " kept no per-prompt answers")
                    .with("resource", "artifact");
        }
        if (evaluation.examplesFile() == null) {
            throw new PlatformProblem(ProblemKind.CONFLICT, "task evaluation " + id + " is " + evaluation.status()
                    + ": its answers exist once it has succeeded").with("status", evaluation.status());
        }
        try (InputStream in = store.get(evaluation.examplesFile())) {
            response.setContentType(JSONL);
            response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
                    ContentDisposition.attachment().filename("task-evaluation-" + uuid + ".jsonl").build().toString());
            in.transferTo(response.getOutputStream());
        } catch (ArtifactNotFoundException e) {
            throw new PlatformProblem(ProblemKind.NOT_FOUND, "the answers of task evaluation " + id + " are gone")
                    .with("resource", "artifact");
        }
    }

    private static DatasetId datasetId(String text) {
        if (text == null || text.isBlank()) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "dataset is required: the id of one of your datasets")
                    .with("param", "dataset").with("field", "dataset");
        }
        try {
            return new DatasetId(UUID.fromString(text.trim()));
        } catch (IllegalArgumentException e) {
            throw PlatformProblem.notFound("dataset", text).with("param", "dataset").with("field", "dataset");
        }
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw PlatformProblem.notFound("task evaluation", id);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record EvaluationRequest(String dataset, Integer maxExamples, Integer maxNewTokens, String extractor) {
    }
}
