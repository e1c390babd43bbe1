package dev.finetune.core.common;

import java.util.regex.Pattern;

/** Fail-fast argument checks whose messages name the field, e.g. {@code name must not be blank}. */
public final class Checks {

    /** For {@code @Pattern}: text without control characters (Unicode category Cc: C0, DEL, C1). */
    public static final String NO_CONTROL_CHARACTERS = "[^\\p{Cc}]*";
    public static final String NO_CONTROL_CHARACTERS_MESSAGE = "must not contain control characters (line breaks, tabs, NUL)";

    private Checks() {
    }

    public static <T> T notNull(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    public static String notBlank(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    public static String maxLength(String value, int max, String field) {
        if (value != null && value.length() > max) {
            throw new IllegalArgumentException(field + " must be at most " + max + " characters");
        }
        return value;
    }

    public static String matches(String value, Pattern pattern, String field) {
        notNull(value, field);
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must match " + pattern.pattern() + " but was '" + value + "'");
        }
        return value;
    }

    /**
     * A name the platform stores and later prints, puts in a header or a file name: no control
     * character (C0, DEL, C1: line breaks and NUL included), which would break a download's
     * headers, a log line, or PostgreSQL (which cannot store NUL).
     */
    public static String noControlCharacters(String value, String field) {
        if (value != null && hasControlCharacter(value)) {
            throw new IllegalArgumentException(field + " " + NO_CONTROL_CHARACTERS_MESSAGE);
        }
        return value;
    }

    public static boolean hasControlCharacter(String value) {
        return value.chars().anyMatch(Character::isISOControl);
    }

    public static long notNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0");
        }
        return value;
    }
}
