package dev.finetune.core.dataset;

import java.util.UUID;

/** Identifies an uploaded dataset. */
public record DatasetId(UUID value) {

    public DatasetId {
        if (value == null) {
            throw new IllegalArgumentException("dataset_id must not be null");
        }
    }

    public static DatasetId random() {
        return new DatasetId(UUID.randomUUID());
    }

    /** Parses the canonical UUID form; throws {@link IllegalArgumentException} naming the field otherwise. */
    public static DatasetId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("dataset_id must not be null");
        }
        try {
            return new DatasetId(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dataset_id must be a UUID but was '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
