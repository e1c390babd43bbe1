package dev.finetune.api.dataset;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.dataset.Dataset;
import dev.finetune.data.FieldMapping;

/**
 * A stored dataset as clients see it. {@code field_mapping}: standard field name to the key its
 * records use (empty: the standard names), applied wherever the platform reads it.
 */
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
        @JsonProperty("field_mapping") Map<String, String> fieldMapping,
        @JsonProperty("created_at") Instant createdAt) {

    static DatasetView of(Dataset d) {
        return new DatasetView(d.id().toString(), "dataset", d.name(), d.format().wireName(), d.sha256(), d.sizeBytes(),
                d.rows(), d.estimatedTokens(), d.validationStatus().wireName(),
                // in the format's field order (prompt before completion), whatever order jsonb keeps
                FieldMapping.fromMap(d.fieldMapping()).toMap(), d.createdAt());
    }
}
