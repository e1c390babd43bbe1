package dev.finetune.settings;

/**
 * The rules the settings records apply, with the one message format every caller shows
 * ({@code <field> must be > 0 but was 0}). Public so that records built on the settings (the engine's
 * LoRA file config, its optimizer knobs) check their own fields the same way.
 */
public final class SettingChecks {

    private SettingChecks() {
    }

    public static int atLeast(String field, int value, int min) {
        if (value < min) {
            throw new InvalidSettingException(field, "must be " + (min == 1 ? "> 0" : ">= " + min) + " but was " + value);
        }
        return value;
    }

    /** An optional count: null, or at least {@code min}. */
    public static Integer atLeastOrNull(String field, Integer value, int min) {
        return value == null ? null : atLeast(field, value, min);
    }

    public static int atMost(String field, int value, int max) {
        if (value > max) {
            throw new InvalidSettingException(field, "must be <= " + max + " but was " + value);
        }
        return value;
    }

    public static double positive(String field, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new InvalidSettingException(field, "must be > 0 but was " + value);
        }
        return value;
    }

    public static double nonNegative(String field, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new InvalidSettingException(field, "must be >= 0 but was " + value);
        }
        return value;
    }

    /** A share such as a dropout probability or a warm-up ratio: in [0, 1). */
    public static double fraction(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new InvalidSettingException(field, "must be >= 0 and < 1 but was " + value);
        }
        return value;
    }

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw new InvalidSettingException(field, "must not be null");
        }
        return value;
    }
}
