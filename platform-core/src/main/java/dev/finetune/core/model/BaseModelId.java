package dev.finetune.core.model;

import java.util.UUID;

/** Identifies a registered base model. */
public record BaseModelId(UUID value) {

    public BaseModelId {
        if (value == null) {
            throw new IllegalArgumentException("base_model_id must not be null");
        }
    }

    public static BaseModelId random() {
        return new BaseModelId(UUID.randomUUID());
    }

    /** Parses the canonical UUID form; throws {@link IllegalArgumentException} naming the field otherwise. */
    public static BaseModelId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("base_model_id must not be null");
        }
        try {
            return new BaseModelId(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("base_model_id must be a UUID but was '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
