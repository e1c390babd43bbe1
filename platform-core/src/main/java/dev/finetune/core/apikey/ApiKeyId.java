package dev.finetune.core.apikey;

import java.util.UUID;

/** Identifies an API key row. */
public record ApiKeyId(UUID value) {

    public ApiKeyId {
        if (value == null) {
            throw new IllegalArgumentException("api_key_id must not be null");
        }
    }

    public static ApiKeyId random() {
        return new ApiKeyId(UUID.randomUUID());
    }

    /** Parses the canonical UUID form; throws {@link IllegalArgumentException} naming the field otherwise. */
    public static ApiKeyId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("api_key_id must not be null");
        }
        try {
            return new ApiKeyId(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("api_key_id must be a UUID but was '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
