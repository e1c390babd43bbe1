package dev.finetune.api.security;

import java.util.List;

import dev.finetune.api.problem.ProblemWriter;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.core.Authentication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Stateless API-key security: every {@code /api/v1/**} call, and every call of the OpenAI-compatible
 * {@code /v1/files} and {@code /v1/fine_tuning}, needs {@code Authorization: Bearer ftk_...}; {@code /actuator/prometheus} (every tenant's job counts) needs the operator's key or the
 * scrape token of {@link MetricsProperties}; health and the OpenAPI document are open. No sessions, no CSRF (no
 * cookies are ever read), no form or basic login. Scopes are checked in the controllers with
 * {@code caller.require(scope)}, next to the code they protect.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeyRepository keys, ProblemWriter problems,
            MetricsProperties metrics) throws Exception {
        http.csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .formLogin(f -> f.disable())
                .httpBasic(b -> b.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .addFilterBefore(new ApiKeyAuthenticationFilter(keys, problems), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        // SSE streams finish on an async dispatch and errors render on /error: the
                        // request was authorised when it entered
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/api/**").authenticated()
                        // the OpenAI-compatible files and fine-tuning surface: the same keys, scopes and tenants
                        .requestMatchers("/v1/files", "/v1/files/**", "/v1/fine_tuning/**").authenticated()
                        .requestMatchers("/actuator/prometheus", "/actuator/prometheus/**")
                        .access((authentication, context) -> new AuthorizationDecision(
                                isOperator(authentication.get()) || metrics.isScrapeToken(bearer(context.getRequest()))))
                        .anyRequest().permitAll())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> problems.write(request, response,
                                new PlatformProblem(ProblemKind.UNAUTHENTICATED,
                                        "send a valid, unrevoked API key as 'Authorization: Bearer ftk_...'")))
                        .accessDeniedHandler((request, response, ex) -> problems.write(request, response,
                                new PlatformProblem(ProblemKind.FORBIDDEN_SCOPE, "this API key may not do that"))));
        return http.build();
    }

    private static boolean isOperator(Authentication authentication) {
        return authentication != null && authentication.getPrincipal() instanceof Caller caller && caller.operator();
    }

    private static String bearer(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7) : null;
    }

    /**
     * The firewall's refusals (an encoded '.', '/' or ';' in the URL, a double slash, a method
     * that is no HTTP method this API knows) as problems: 405 for the method, 400 otherwise, in
     * the firewall's own reason, which names what it found.
     */
    @Bean
    RequestRejectedHandler requestRejectedAsProblem(ProblemWriter problems) {
        return (request, response, rejected) -> {
            if (!KNOWN_METHODS.contains(request.getMethod())) {
                response.setHeader(HttpHeaders.ALLOW, String.join(", ", KNOWN_METHODS));
                problems.write(request, response, new PlatformProblem(ProblemKind.METHOD_NOT_ALLOWED,
                        "'" + request.getMethod() + "' is not a method this API supports; use one of " + KNOWN_METHODS));
                return;
            }
            problems.write(request, response, new PlatformProblem(ProblemKind.REJECTED_REQUEST, "the request was refused: "
                    + reason(rejected.getMessage())));
        };
    }

    private static final List<String> KNOWN_METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private static String reason(String message) {
        int because = message == null ? -1 : message.indexOf("because ");
        String why = because < 0 ? "the URL or a header contains something this API never accepts"
                : message.substring(because + "because ".length());
        return why.replace("potentially malicious String", "sequence that is never accepted")
                .replace("was not normalized", "is not normalized (encoded '.', '/' or a double slash)");
    }

    /** Keeps Boot from creating a default user with a generated password: keys are the only login. */
    @Bean
    UserDetailsService noUsers() {
        return new InMemoryUserDetailsManager();
    }
}
