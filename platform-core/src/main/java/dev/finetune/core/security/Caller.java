package dev.finetune.core.security;

import dev.finetune.core.apikey.ApiKeyId;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.tenant.TenantId;
import java.util.Set;

/**
 * Who is calling: the tenant every query is scoped to, the key used, and what it may do. The API
 * puts it in Spring Security's context as the principal; controllers of every module receive it
 * with {@code @AuthenticationPrincipal Caller caller} and pass {@code caller.tenant()} to every
 * repository query, so a resource of another tenant is simply not found (404), never forbidden.
 *
 * @param operator true only for the bootstrap key of a fresh install: it may create tenants
 */
public record Caller(TenantId tenant, ApiKeyId keyId, String keyPrefix, Set<ApiKeyScope> scopes, boolean operator) {

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    public boolean can(ApiKeyScope needed) {
        return scopes.stream().anyMatch(s -> s.implies(needed));
    }

    /** Throws a 403 problem unless the key has {@code needed} (or a scope implying it). */
    public void require(ApiKeyScope needed) {
        if (!can(needed)) {
            throw new PlatformProblem(ProblemKind.FORBIDDEN_SCOPE,
                    "this API key (" + keyPrefix + ") lacks the '" + needed.wireName() + "' scope")
                    .with("requiredScope", needed.wireName());
        }
    }
}
