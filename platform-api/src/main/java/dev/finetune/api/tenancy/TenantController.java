package dev.finetune.api.tenancy;

import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.apikey.ApiKey;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.apikey.IssuedApiKey;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.core.tenant.Tenant;
import dev.finetune.core.tenant.TenantRepository;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Creating tenants: the operator key only. The new tenant's first admin key is in the response, once. */
@RestController
@RequestMapping("/api/v1/tenants")
class TenantController {

    private final TenantSetup setup;
    private final TenantRepository tenants;
    private final ApiKeyRepository keys;

    TenantController(TenantSetup setup, TenantRepository tenants, ApiKeyRepository keys) {
        this.setup = setup;
        this.tenants = tenants;
        this.keys = keys;
    }

    record CreateTenant(@NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}",
            message = "must be 1-100 letters, digits, space, '.', '_' or '-', starting with a letter or digit") String name) {
    }

    record TenantCreated(String id, String name, @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("admin_key") ApiKeyController.CreatedKey adminKey) {
    }

    @PostMapping
    ResponseEntity<TenantCreated> create(@AuthenticationPrincipal Caller caller, @Valid @RequestBody CreateTenant body) {
        if (!caller.operator()) {
            throw new PlatformProblem(ProblemKind.FORBIDDEN_SCOPE, "only the operator key may create tenants")
                    .with("requiredScope", "operator");
        }
        if (tenants.findByName(body.name()).isPresent()) {
            throw new PlatformProblem(ProblemKind.CONFLICT, "a tenant named '" + body.name() + "' already exists")
                    .with("param", "name");
        }
        Tenant tenant = setup.create(body.name());
        IssuedApiKey issued = ApiKey.issue(tenant.id(), "first admin key", EnumSet.of(ApiKeyScope.ADMIN));
        ApiKey saved = keys.save(issued.key());
        return ResponseEntity.created(URI.create("/api/v1/tenants/" + tenant.id()))
                .body(new TenantCreated(tenant.id().toString(), tenant.name(), tenant.createdAt(),
                        ApiKeyController.CreatedKey.of(saved, issued.token().reveal())));
    }
}
