package dev.finetune.api.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.dataset.Dataset;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * OpenAI's file object for one of the tenant's datasets. Every dataset is a fine-tuning file, stored
 * only once every record validated, so {@code purpose} is always {@code fine-tune} and {@code status}
 * {@code processed}. The same id works on {@code /api/v1/datasets}. Extensions: {@code format},
 * {@code rows}, {@code estimated_tokens}, {@code sha256}.
 */
@Schema(name = "OpenAiFile")
record OpenAiFile(
        String id,
        @Schema(allowableValues = "file") String object,
        long bytes,
        @Schema(description = "unix seconds") @JsonProperty("created_at") long createdAt,
        String filename,
        @Schema(allowableValues = "fine-tune") String purpose,
        @Schema(allowableValues = "processed") String status,
        @Schema(nullable = true, description = "always null: files do not expire") @JsonProperty("expires_at") Long expiresAt,
        @Schema(allowableValues = {"chat", "instruction", "completion", "sharegpt", "text"}) String format,
        Long rows,
        @JsonProperty("estimated_tokens") Long estimatedTokens,
        String sha256) {

    static final String PURPOSE = "fine-tune";

    static OpenAiFile of(Dataset d) {
        return new OpenAiFile(d.id().toString(), "file", d.sizeBytes(), d.createdAt().getEpochSecond(), d.name(),
                PURPOSE, "processed", null, d.format().wireName(), d.rows(), d.estimatedTokens(), d.sha256());
    }

    /** OpenAI's answer to a delete. */
    @Schema(name = "OpenAiFileDeleted")
    record Deleted(String id, @Schema(allowableValues = "file") String object, boolean deleted) {
    }
}
