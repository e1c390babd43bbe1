package dev.finetune.core.tenant;

import java.util.UUID;

/** Identifies a segment row (the name is unique only within a tenant). */
public record SegmentId(UUID value) {

    public SegmentId {
        if (value == null) {
            throw new IllegalArgumentException("segment_id must not be null");
        }
    }

    public static SegmentId random() {
        return new SegmentId(UUID.randomUUID());
    }

    /** Parses the canonical UUID form; throws {@link IllegalArgumentException} naming the field otherwise. */
    public static SegmentId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("segment_id must not be null");
        }
        try {
            return new SegmentId(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("segment_id must be a UUID but was '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
