package dev.finetune.registry;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import dev.finetune.core.apikey.ApiKeyId;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.security.Caller;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.core.testing.TestData;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What the API application gives the registry, in miniature: auto-configuration, a component scan
 * of the controllers, a Caller principal (from two test headers instead of an API key) and
 * PlatformProblem rendered as RFC 9457 problem details.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan("dev.finetune.registry.web")
@Import({TestData.class, Adapters.class, RegistryTestApplication.ProblemAdvice.class})
public class RegistryTestApplication {

    public static final String TENANT = "X-Test-Tenant";
    public static final String SCOPES = "X-Test-Scopes";

    @Bean
    SecurityFilterChain registryTestSecurity(HttpSecurity http) throws Exception {
        return http.csrf(c -> c.disable())
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .addFilterBefore(new CallerFromHeaders(), AuthorizationFilter.class)
                .build();
    }

    /** Puts a Caller of the tenant in {@code X-Test-Tenant} with the scopes in {@code X-Test-Scopes}. */
    static class CallerFromHeaders extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String tenant = request.getHeader(TENANT);
            if (tenant != null) {
                Set<ApiKeyScope> scopes = Arrays.stream(request.getHeader(SCOPES).split(","))
                        .map(ApiKeyScope::fromWire).collect(Collectors.toSet());
                Caller caller = new Caller(TenantId.parse(tenant), ApiKeyId.random(), "ft_test_" + scopes.size(), scopes, false);
                SecurityContextHolder.getContext().setAuthentication(
                        UsernamePasswordAuthenticationToken.authenticated(caller, null, java.util.List.of()));
            }
            chain.doFilter(request, response);
        }
    }

    @RestControllerAdvice
    static class ProblemAdvice {

        @ExceptionHandler(PlatformProblem.class)
        ResponseEntity<ProblemDetail> problem(PlatformProblem p) {
            ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(p.kind().status()), p.detail());
            body.setType(java.net.URI.create(p.kind().type()));
            body.setTitle(p.kind().title());
            p.properties().forEach(body::setProperty);
            return ResponseEntity.status(p.kind().status()).body(body);
        }
    }
}
