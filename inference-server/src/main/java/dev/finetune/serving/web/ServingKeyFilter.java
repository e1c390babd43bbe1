package dev.finetune.serving.web;

import java.io.IOException;
import java.util.Optional;

import dev.finetune.core.apikey.ApiKey;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.apikey.ApiKeyToken;
import dev.finetune.core.security.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The serving surface's authentication: the same {@code Authorization: Bearer ftk_...} keys as the
 * native API (platform-core's {@link ApiKeyRepository}: prefix lookup, constant-time SHA-256
 * comparison, revoked keys refused; an operator's own secret mapped as the API maps it). The
 * resulting {@link Caller} travels as a request attribute ({@link #CALLER}); every model lookup is
 * scoped to its tenant.
 *
 * <p><b>Scope:</b> calling a model needs {@code read}. A completion stores nothing and changes
 * nothing: the key a product's backend holds to call {@code support@production} should not also be
 * able to start training jobs or move aliases ({@code submit}). Every scope implies {@code read},
 * so any valid key may call its tenant's models; the check stays, so that a narrower scope added
 * later is refused with a 403 in OpenAI's shape.
 *
 * <p>401, 403 and a database outage (503) are answered here, in OpenAI's error shape, before any
 * controller runs.
 */
public class ServingKeyFilter extends OncePerRequestFilter {

    /** The request attribute holding the authenticated {@link Caller}. */
    public static final String CALLER = Caller.class.getName();
    /** The scope a key needs to list and call models. */
    public static final ApiKeyScope REQUIRED_SCOPE = ApiKeyScope.READ;

    private final ApiKeyRepository keys;
    public ServingKeyFilter(ApiKeyRepository keys) {
        this.keys = keys;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !path.startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<ApiKey> key;
        try {
            key = ApiKeyToken.fromAuthorizationHeader(request.getHeader(HttpHeaders.AUTHORIZATION))
                    .flatMap(keys::authenticate);
        } catch (RuntimeException e) {
            OpenAiErrors.of(e).write(response);
            return;
        }
        if (key.isEmpty()) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            OpenAiErrors.of(ServingError.INVALID_API_KEY, request.getHeader(HttpHeaders.AUTHORIZATION) == null
                    ? "no API key: send 'Authorization: Bearer ftk_...' (the same keys as the platform's API)"
                    : "the API key is not valid or was revoked; send 'Authorization: Bearer ftk_...'", null).write(response);
            return;
        }
        ApiKey k = key.get();
        Caller caller = new Caller(k.tenantId(), k.id(), k.prefix(), k.scopes(), k.isOperator());
        if (!caller.can(REQUIRED_SCOPE)) {
            OpenAiErrors.of(ServingError.INSUFFICIENT_SCOPE, "this API key (" + k.prefix() + ") lacks the '"
                    + REQUIRED_SCOPE.wireName() + "' scope needed to call models", null).write(response);
            return;
        }
        keys.touch(k);
        request.setAttribute(CALLER, caller);
        MDC.put("tenantId", k.tenantId().toString());
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove("tenantId");
        }
    }
}
