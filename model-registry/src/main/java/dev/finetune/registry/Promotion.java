package dev.finetune.registry;

import dev.finetune.core.common.Checks;

/**
 * A request to point an alias at a version.
 *
 * @param force pass the gate even if it would block; needs a {@code reason}
 * @param expectedCurrentVersion if set, the move happens only while the alias still points there
 *        (compare-and-set for CI pipelines); null skips the check
 */
public record Promotion(int version, boolean force, String reason, Integer expectedCurrentVersion) {

    public Promotion {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1 but was " + version);
        }
        if (reason != null && reason.isBlank()) {
            reason = null;
        }
        Checks.maxLength(reason, 1000, "reason");
        if (force && reason == null) {
            throw new IllegalArgumentException("reason must not be blank when force is true");
        }
    }

    public static Promotion of(int version) {
        return new Promotion(version, false, null, null);
    }

    public static Promotion forced(int version, String reason) {
        return new Promotion(version, true, reason, null);
    }
}
