package dev.finetune.api.dataset;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.dataset.Dataset;

/** A stored dataset as clients see it. */
record DatasetView(
        String id,
        String object,
        String name,
        String format,
        String sha256,
        long bytes,
        Long rows,
        @JsonProperty("estimated_tokens") Long estimatedTokens,
        String status,
        @JsonProperty("created_at") Instant createdAt) {

    static DatasetView of(Dataset d) {
        return new DatasetView(d.id().toString(), "dataset", d.name(), d.format().wireName(), d.sha256(), d.sizeBytes(),
                d.rows(), d.estimatedTokens(), d.validationStatus().wireName(), d.createdAt());
    }
}
