package dev.finetune.webui;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Makes the dashboard's static files public. The API's own chain asks for an API key on
 * {@code /api/v1/**}; the pages must load before anyone has typed a key, so this chain, ordered
 * before the API's and matching only the page paths, permits them without a session and adds
 * the headers a page that handles API keys should have: a Content-Security-Policy that allows
 * only this origin (no inline script or style, no framing), no referrer, no MIME sniffing.
 *
 * <p>Versioned WebJar paths never change content, so they may be cached for a year; the
 * dashboard's own files are revalidated on every load so an upgrade is seen at once.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(SecurityFilterChain.class)
public class DashboardPagesSecurity {

    /** Before the API's chain (which has no explicit order, so it is last). */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

    /** Every path the pages load; everything else falls through to the API's chain. */
    public static final String[] PAGE_PATHS = {"/", "/index.html", "/assets/**", "/webjars/**", "/favicon.ico"};

    /**
     * 'self' only. {@code img-src data:} is for the SVG icons CSS may inline; {@code connect-src
     * 'self'} is the REST API (fetch and its event stream); presigned download links are plain
     * navigations, which CSP does not restrict.
     */
    public static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    @Bean
    @Order(ORDER)
    SecurityFilterChain dashboardPages(HttpSecurity http) throws Exception {
        RequestMatcher webjars = PathPatternRequestMatcher.withDefaults().matcher("/webjars/**");
        http.securityMatcher(PAGE_PATHS)
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(r -> r.disable())
                .formLogin(f -> f.disable())
                .httpBasic(b -> b.disable())
                .logout(l -> l.disable())
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(r -> r.policy(ReferrerPolicy.NO_REFERRER))
                        .frameOptions(f -> f.deny())
                        .cacheControl(c -> c.disable())
                        .addHeaderWriter(new StaticHeadersWriter("Permissions-Policy",
                                "camera=(), microphone=(), geolocation=(), payment=(), usb=()"))
                        .addHeaderWriter(new StaticHeadersWriter("Cross-Origin-Opener-Policy", "same-origin"))
                        .addHeaderWriter(cacheFor(webjars, "public, max-age=31536000, immutable"))
                        .addHeaderWriter(cacheFor(new NegatedRequestMatcher(webjars), "no-cache")));
        return http.build();
    }

    private static HeaderWriter cacheFor(RequestMatcher paths, String value) {
        return new DelegatingRequestMatcherHeaderWriter(paths, new StaticHeadersWriter("Cache-Control", value));
    }
}
