package dev.finetune.data;

import java.util.Locale;

/** Who speaks a {@link Turn}. {@link #templateName()} is the role string chat templates expect. */
public enum Role {
    SYSTEM,
    USER,
    ASSISTANT,
    /** A tool/function result fed back to the model (ShareGPT {@code observation}). */
    TOOL;

    /** {@code system}, {@code user}, {@code assistant} or {@code tool}. */
    public String templateName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
