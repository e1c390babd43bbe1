package dev.finetune.core.job;

import java.util.UUID;

/** Identifies a fine-tuning job. */
public record JobId(UUID value) {

    public JobId {
        if (value == null) {
            throw new IllegalArgumentException("job_id must not be null");
        }
    }

    public static JobId random() {
        return new JobId(UUID.randomUUID());
    }

    /** Parses the canonical UUID form; throws {@link IllegalArgumentException} naming the field otherwise. */
    public static JobId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("job_id must not be null");
        }
        try {
            return new JobId(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("job_id must be a UUID but was '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
