package dev.finetune.api.security;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import dev.finetune.api.problem.Outages;
import dev.finetune.api.problem.ProblemWriter;
import dev.finetune.core.apikey.ApiKey;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyToken;
import dev.finetune.core.security.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Turns {@code Authorization: Bearer ftk_...} into a {@link Caller}: the key is found by its
 * prefix, its secret compared by SHA-256 in constant time, revoked keys refused. A request without
 * a valid key stays anonymous; the security chain then answers 401 for protected paths. Puts
 * {@code tenantId} in the MDC for the request's log lines.
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthenticationFilter.class);

    private final ApiKeyRepository keys;
    private final ProblemWriter problems;

    ApiKeyAuthenticationFilter(ApiKeyRepository keys, ProblemWriter problems) {
        this.keys = keys;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<ApiKey> key;
        try {
            key = ApiKeyToken.fromAuthorizationHeader(request.getHeader(HttpHeaders.AUTHORIZATION)).flatMap(keys::authenticate);
        } catch (RuntimeException e) {
            if (!Outages.isDatabaseUnavailable(e)) {
                throw e;
            }
            // the key cannot be checked while PostgreSQL is down: 503 at once, not a 500 or a hang
            log.warn("Database unavailable while checking an API key on {} {}: {}", request.getMethod(),
                    request.getRequestURI(), e.toString());
            problems.write(request, response, Outages.databaseUnavailable());
            return;
        }
        if (key.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        ApiKey k = key.get();
        Caller caller = new Caller(k.tenantId(), k.id(), k.prefix(), k.scopes(), k.isOperator());
        List<SimpleGrantedAuthority> authorities = k.scopes().stream()
                .map(s -> new SimpleGrantedAuthority("SCOPE_" + s.wireName())).toList();
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(caller, null, authorities));
        SecurityContextHolder.setContext(context);
        keys.touch(k);
        MDC.put("tenantId", k.tenantId().toString());
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove("tenantId");
            MDC.remove("jobId");
            SecurityContextHolder.clearContext();
        }
    }
}
