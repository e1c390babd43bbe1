package dev.finetune.api.tenancy;

import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.api.ListPage;
import dev.finetune.core.apikey.ApiKey;
import dev.finetune.core.apikey.ApiKeyId;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.apikey.IssuedApiKey;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import jakarta.validation.Valid;
import dev.finetune.api.input.PlainText;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's API keys (admin scope): create (the key is in the response, once), list, revoke; and
 * {@code GET /self}, any key's own prefix and scopes, so a client (the dashboard) offers only what
 * the key may do.
 */
@RestController
@RequestMapping("/api/v1/api-keys")
class ApiKeyController {

    private final ApiKeyRepository keys;

    ApiKeyController(ApiKeyRepository keys) {
        this.keys = keys;
    }

    record CreateKey(@NotBlank @Size(max = 100) @PlainText String name, @NotEmpty Set<String> scopes) {
    }

    /** A key as listed: never its secret or hash. */
    record KeyView(String id, String prefix, String name, List<String> scopes, boolean operator,
            @JsonProperty("created_at") Instant createdAt, @JsonProperty("last_used_at") Instant lastUsedAt,
            @JsonProperty("revoked_at") Instant revokedAt, boolean revoked) {

        static KeyView of(ApiKey k) {
            return new KeyView(k.id().toString(), k.prefix(), k.name(), scopeNames(k), k.isOperator(), k.createdAt(),
                    k.lastUsedAt(), k.revokedAt(), !k.isActive());
        }
    }

    /** A freshly created key: {@code key} is the only time its secret is shown. */
    record CreatedKey(String id, String key, String prefix, String name, List<String> scopes,
            @JsonProperty("created_at") Instant createdAt) {

        static CreatedKey of(ApiKey k, String plaintext) {
            return new CreatedKey(k.id().toString(), plaintext, k.prefix(), k.name(), scopeNames(k), k.createdAt());
        }
    }

    /**
     * The calling key as the platform sees it: its scopes as granted and {@code can}, every scope it
     * holds including the implied ones (admin implies submit and read, submit implies read).
     */
    record SelfView(String prefix, List<String> scopes, List<String> can, boolean operator) {
    }

    @GetMapping("/self")
    SelfView self(@AuthenticationPrincipal Caller caller) {
        List<String> granted = caller.scopes().stream().map(ApiKeyScope::wireName).sorted().toList();
        List<String> can = EnumSet.allOf(ApiKeyScope.class).stream().filter(caller::can).map(ApiKeyScope::wireName)
                .toList();
        return new SelfView(caller.keyPrefix(), granted, can, caller.operator());
    }

    @GetMapping
    ListPage<KeyView> list(@AuthenticationPrincipal Caller caller) {
        caller.require(ApiKeyScope.ADMIN);
        return ListPage.of(keys.list(caller.tenant()).stream().map(KeyView::of).toList());
    }

    @PostMapping
    ResponseEntity<CreatedKey> create(@AuthenticationPrincipal Caller caller, @Valid @RequestBody CreateKey body) {
        caller.require(ApiKeyScope.ADMIN);
        Set<ApiKeyScope> scopes = EnumSet.noneOf(ApiKeyScope.class);
        for (String s : body.scopes()) {
            try {
                scopes.add(ApiKeyScope.fromWire(s));
            } catch (IllegalArgumentException e) {
                throw new PlatformProblem(ProblemKind.VALIDATION, e.getMessage()).with("param", "scopes");
            }
        }
        IssuedApiKey issued = ApiKey.issue(caller.tenant(), body.name(), scopes);
        ApiKey saved = keys.save(issued.key());
        return ResponseEntity.created(URI.create("/api/v1/api-keys/" + saved.id()))
                .body(CreatedKey.of(saved, issued.token().reveal()));
    }

    @DeleteMapping("/{keyId}")
    ResponseEntity<Void> revoke(@AuthenticationPrincipal Caller caller, @PathVariable UUID keyId) {
        caller.require(ApiKeyScope.ADMIN);
        ApiKey key = keys.find(caller.tenant(), new ApiKeyId(keyId))
                .orElseThrow(() -> PlatformProblem.notFound("api key", keyId));
        key.revoke(Instant.now());
        keys.save(key);
        return ResponseEntity.noContent().build();
    }

    private static List<String> scopeNames(ApiKey k) {
        return k.scopes().stream().map(ApiKeyScope::wireName).sorted().toList();
    }
}
