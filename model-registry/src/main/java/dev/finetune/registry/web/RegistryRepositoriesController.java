package dev.finetune.registry.web;

import java.util.Set;

import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.core.security.Caller;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.registry.AdapterRef;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.registry.BaseModelExpectation;
import dev.finetune.registry.GatePolicy;
import dev.finetune.registry.GateRule;
import dev.finetune.registry.Page;
import dev.finetune.registry.RepositorySummary;
import dev.finetune.registry.ResolvedAdapter;
import dev.finetune.registry.VersionComparison;
import dev.finetune.registry.VersionQuery;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** Repositories, version lists and search, comparison and resolution: everything read-only, plus the gate setting. */
@RestController
@RequestMapping("/api/v1/registry")
class RegistryRepositoriesController {

    private final AdapterRegistry registry;

    RegistryRepositoriesController(AdapterRegistry registry) {
        this.registry = registry;
    }

    @GetMapping("/repositories")
    Page<RepositorySummary> repositories(@AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String after, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return registry.repositories(Requests.require(caller, ApiKeyScope.READ).tenant(), Requests.after(after, cursor),
                limit);
    }

    @GetMapping("/repositories/{segment}")
    RepositorySummary repository(@AuthenticationPrincipal Caller caller, @PathVariable String segment) {
        return registry.repository(Requests.require(caller, ApiKeyScope.READ).tenant(), Requests.segment(segment));
    }

    /** Creates the repository if needed and sets its description and promotion gate (admin). */
    @PutMapping("/repositories/{segment}")
    RepositorySummary configure(@AuthenticationPrincipal Caller caller, @PathVariable String segment,
            @RequestBody RepositorySettings body) {
        Caller admin = Requests.require(caller, ApiKeyScope.ADMIN);
        Requests.text(body.description(), "description");
        GatePolicy gate = body.gate() == null ? GatePolicy.DEFAULT : Requests.valid(() -> new GatePolicy(
                body.gate().rule() == null ? GateRule.EVAL_LOSS_NO_WORSE : GateRule.fromWire(body.gate().rule()),
                body.gate().maxEvalLoss(),
                body.gate().gatedAliases() == null ? GatePolicy.DEFAULT.gatedAliases() : body.gate().gatedAliases(),
                body.gate().taskMetric()));
        return Requests.valid(() -> registry.configure(admin.tenant(), Requests.segment(segment), body.description(), gate));
    }

    @GetMapping("/repositories/{segment}/versions")
    Page<AdapterVersion> versions(@AuthenticationPrincipal Caller caller, @PathVariable String segment,
            @RequestParam(required = false) String tag, @RequestParam(required = false) String method,
            @RequestParam(name = "base_model", required = false) String baseModel,
            @RequestParam(name = "max_eval_loss", required = false) Double maxEvalLoss,
            @RequestParam(name = "include_archived", defaultValue = "false") boolean includeArchived,
            @RequestParam(required = false) String after, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return search(caller, segment, tag, method, baseModel, maxEvalLoss, includeArchived, after, limit, cursor);
    }

    /** Versions across the tenant's repositories; {@code tag=key} or {@code tag=key:value}. */
    @GetMapping("/versions")
    Page<AdapterVersion> search(@AuthenticationPrincipal Caller caller, @RequestParam(required = false) String segment,
            @RequestParam(required = false) String tag, @RequestParam(required = false) String method,
            @RequestParam(name = "base_model", required = false) String baseModel,
            @RequestParam(name = "max_eval_loss", required = false) Double maxEvalLoss,
            @RequestParam(name = "include_archived", defaultValue = "false") boolean includeArchived,
            @RequestParam(required = false) String after, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        Caller reader = Requests.require(caller, ApiKeyScope.READ);
        VersionQuery query = Requests.valid(() -> {
            int colon = tag == null ? -1 : tag.indexOf(':');
            return new VersionQuery(segment == null ? null : new SegmentName(segment),
                    colon < 0 ? tag : tag.substring(0, colon), colon < 0 ? null : tag.substring(colon + 1),
                    method == null ? null : FineTuningMethod.fromWire(method), baseModel, maxEvalLoss, includeArchived);
        });
        return registry.search(reader.tenant(), query, Requests.after(after, cursor), limit);
    }

    @GetMapping("/repositories/{segment}/versions/{number}")
    AdapterVersion version(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number) {
        return registry.version(Requests.require(caller, ApiKeyScope.READ).tenant(), Requests.segment(segment), number);
    }

    @GetMapping("/repositories/{segment}/compare")
    VersionComparison compare(@AuthenticationPrincipal Caller caller, @PathVariable String segment,
            @RequestParam int a, @RequestParam int b) {
        return registry.compare(Requests.require(caller, ApiKeyScope.READ).tenant(), Requests.segment(segment), a, b);
    }

    /**
     * {@code ref=acme-support@production} or {@code ref=acme-support/3}; with {@code base_model}
     * (id or name) and optionally {@code base_model_sha256}, a different base model is a 409.
     */
    @GetMapping("/resolve")
    ResolvedAdapter resolve(@AuthenticationPrincipal Caller caller, @RequestParam String ref,
            @RequestParam(name = "base_model", required = false) String baseModel,
            @RequestParam(name = "base_model_sha256", required = false) String baseModelSha256) {
        Caller reader = Requests.require(caller, ApiKeyScope.READ);
        AdapterRef parsed = Requests.valid(() -> AdapterRef.parse(ref));
        BaseModelExpectation expected = baseModel == null ? null
                : Requests.valid(() -> new BaseModelExpectation(baseModel, baseModelSha256));
        return registry.resolve(reader.tenant(), parsed, expected);
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RepositorySettings(String description, GateSettings gate) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record GateSettings(String rule, Double maxEvalLoss, Set<String> gatedAliases, String taskMetric) {
    }
}
