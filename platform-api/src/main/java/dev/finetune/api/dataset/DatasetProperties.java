package dev.finetune.api.dataset;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.datasets.*}: the largest upload accepted (larger ones get 413 and nothing is
 * stored) and how many bad records a rejected upload lists (the rest are counted as capped).
 */
@Validated
@ConfigurationProperties("finetune.datasets")
public record DatasetProperties(
        @DefaultValue("100MB") @NotNull DataSize maxUploadSize,
        @DefaultValue("100") @Min(1) @Max(10_000) int errorCap) {
}
