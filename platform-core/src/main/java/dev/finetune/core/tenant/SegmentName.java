package dev.finetune.core.tenant;

import java.util.regex.Pattern;

import dev.finetune.core.common.Checks;

/**
 * The name of a segment, a tenant's sub-division (team, project, environment) that jobs are filed
 * under. Lower-case letters, digits, '-' and '_', 1-63 characters, starting with a letter or digit:
 * the same rule the database enforces.
 */
public record SegmentName(String value) {

    public static final Pattern PATTERN = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    public static final SegmentName DEFAULT = new SegmentName("default");

    public SegmentName {
        Checks.matches(value, PATTERN, "segment");
    }

    @Override
    public String toString() {
        return value;
    }
}
