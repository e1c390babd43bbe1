package dev.finetune.api.security;

import dev.finetune.api.problem.ProblemWriter;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * Stateless API-key security: every {@code /api/v1/**} call needs {@code Authorization: Bearer
 * ftk_...}; health, Prometheus and the OpenAPI document are open. No sessions, no CSRF (no
 * cookies are ever read), no form or basic login. Scopes are checked in the controllers with
 * {@code caller.require(scope)}, next to the code they protect.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeyRepository keys, KeyUsage usage, ProblemWriter problems)
            throws Exception {
        http.csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .formLogin(f -> f.disable())
                .httpBasic(b -> b.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .addFilterBefore(new ApiKeyAuthenticationFilter(keys, usage), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        // SSE streams finish on an async dispatch and errors render on /error: the
                        // request was authorised when it entered
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/api/**").authenticated()
                        .anyRequest().permitAll())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> problems.write(request, response,
                                new PlatformProblem(ProblemKind.UNAUTHENTICATED,
                                        "send a valid, unrevoked API key as 'Authorization: Bearer ftk_...'")))
                        .accessDeniedHandler((request, response, ex) -> problems.write(request, response,
                                new PlatformProblem(ProblemKind.FORBIDDEN_SCOPE, "this API key may not do that"))));
        return http.build();
    }

    /** Keeps Boot from creating a default user with a generated password: keys are the only login. */
    @Bean
    UserDetailsService noUsers() {
        return new InMemoryUserDetailsManager();
    }
}
