package dev.finetune.api.basemodel;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.model.BaseModel;

/** A catalog entry: {@code scope} is {@code global} (every tenant sees it) or {@code tenant}. */
record BaseModelView(String id, String object, String name, String scope,
        @JsonProperty("object_prefix") String objectPrefix, Map<String, Object> config,
        @JsonProperty("created_at") Instant createdAt) {

    static BaseModelView of(BaseModel m) {
        return new BaseModelView(m.id().toString(), "base_model", m.name(), m.isGlobal() ? "global" : "tenant",
                m.objectPrefix(), m.configSummary(), m.createdAt());
    }
}
