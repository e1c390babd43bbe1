package dev.finetune.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.metrics.*}: who may read {@code /actuator/prometheus}, whose gauges count every
 * tenant's jobs. The operator's key always may; {@code token} (environment {@code FINETUNE_METRICS_TOKEN},
 * 32+ characters) is a second Bearer value for a scraper (the Helm chart's ServiceMonitor) that
 * should hold no API key. Unset: the operator key only. Never printed by {@link #toString()}.
 */
@Validated
@ConfigurationProperties("finetune.metrics")
public record MetricsProperties(String token) {

    public MetricsProperties {
        if (token != null && !token.isBlank() && token.strip().length() < 32) {
            throw new IllegalArgumentException("finetune.metrics.token must have at least 32 characters");
        }
        token = token == null || token.isBlank() ? null : token.strip();
    }

    /** Whether {@code presented} is the scrape token (constant-time comparison). */
    boolean isScrapeToken(String presented) {
        return token != null && presented != null && MessageDigest.isEqual(
                token.getBytes(StandardCharsets.UTF_8), presented.strip().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "MetricsProperties[token=" + (token == null ? "unset" : "***") + "]";
    }
}
