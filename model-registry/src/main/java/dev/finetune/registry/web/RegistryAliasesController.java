package dev.finetune.registry.web;

import java.util.List;

import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.Alias;
import dev.finetune.registry.AliasMove;
import dev.finetune.registry.Page;
import dev.finetune.registry.Promotion;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** Aliases: promotion through the gate, rollback, removal, and the audit trail of every move. */
@RestController
@RequestMapping("/api/v1/registry/repositories/{segment}")
class RegistryAliasesController {

    private final AdapterRegistry registry;

    RegistryAliasesController(AdapterRegistry registry) {
        this.registry = registry;
    }

    @GetMapping("/aliases")
    List<Alias> aliases(@AuthenticationPrincipal Caller caller, @PathVariable String segment) {
        return registry.aliases(Requests.require(caller, ApiKeyScope.READ).tenant(), Requests.segment(segment));
    }

    /**
     * Points the alias at {@code version}. Blocked by the gate: 409 {@code promotion-blocked} with
     * both metrics; {@code force: true} with a {@code reason} overrides it. {@code expected_version}
     * makes it a compare-and-set. Moved concurrently by someone else: 409 {@code conflict}.
     */
    @PutMapping("/aliases/{alias}")
    AliasMove promote(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable String alias,
            @RequestBody PromoteRequest body) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        Requests.alias(alias);
        Requests.text(body.reason(), "reason");
        if (body.version() == null) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "version must be given").with("param", "version").with("field", "version");
        }
        Promotion promotion = Requests.valid(() -> new Promotion(body.version(), Boolean.TRUE.equals(body.force()),
                body.reason(), body.expectedVersion()));
        return registry.promote(submitter.tenant(), Requests.segment(segment), alias, promotion, Requests.actor(submitter));
    }

    @PostMapping("/aliases/{alias}/rollback")
    AliasMove rollback(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable String alias,
            @RequestBody(required = false) ReasonRequest body) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        Requests.alias(alias);
        Requests.text(body == null ? null : body.reason(), "reason");
        return registry.rollback(submitter.tenant(), Requests.segment(segment), alias,
                body == null ? null : body.reason(), Requests.actor(submitter));
    }

    @DeleteMapping("/aliases/{alias}")
    AliasMove remove(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable String alias,
            @RequestParam(required = false) String reason) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        Requests.alias(alias);
        Requests.text(reason, "reason");
        return registry.removeAlias(submitter.tenant(), Requests.segment(segment), alias, reason, Requests.actor(submitter));
    }

    @GetMapping("/audit")
    Page<AliasMove> audit(@AuthenticationPrincipal Caller caller, @PathVariable String segment,
            @RequestParam(required = false) String alias, @RequestParam(required = false) String after,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return registry.audit(Requests.require(caller, ApiKeyScope.READ).tenant(), Requests.segment(segment), alias,
                Requests.after(after, cursor), limit);
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record PromoteRequest(Integer version, Boolean force, String reason, Integer expectedVersion) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ReasonRequest(String reason) {
    }
}
