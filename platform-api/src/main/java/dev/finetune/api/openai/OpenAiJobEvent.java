package dev.finetune.api.openai;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.progress.EventLevel;
import dev.finetune.core.progress.JobEvent;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * OpenAI's job event: a string id (the native event id, so both surfaces page the same log), unix
 * seconds, {@code level} {@code info|warn|error} (the native {@code debug} reads {@code info}) and
 * {@code type}: {@code metrics} for an event that carries a loss ({@code loss} or {@code eval_loss} in
 * {@code data}), {@code message} for every other.
 */
@Schema(name = "OpenAiJobEvent")
record OpenAiJobEvent(
        String id,
        @Schema(allowableValues = "fine_tuning.job.event") String object,
        @Schema(description = "unix seconds") @JsonProperty("created_at") long createdAt,
        @Schema(allowableValues = {"info", "warn", "error"}) String level,
        String message,
        @Schema(allowableValues = {"message", "metrics"}) String type,
        @Schema(nullable = true) Map<String, Object> data) {

    static OpenAiJobEvent of(JobEvent e) {
        String level = e.level() == EventLevel.DEBUG ? "info" : e.level().wireName();
        boolean metrics = e.data() != null && (e.data().containsKey("loss") || e.data().containsKey("eval_loss"));
        return new OpenAiJobEvent(String.valueOf(e.id()), "fine_tuning.job.event", e.createdAt().getEpochSecond(), level,
                e.message(), metrics ? "metrics" : "message", e.data());
    }
}
