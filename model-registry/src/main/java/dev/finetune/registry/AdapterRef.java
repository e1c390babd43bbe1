package dev.finetune.registry;

import dev.finetune.core.common.Checks;
import dev.finetune.core.tenant.SegmentName;

/**
 * A reference to one version: {@code segment@alias} (follows the alias as it moves) or
 * {@code segment/number} (always the same version).
 */
public record AdapterRef(SegmentName segment, String alias, Integer version) {

    public AdapterRef {
        Checks.notNull(segment, "segment");
        if ((alias == null) == (version == null)) {
            throw new IllegalArgumentException("ref must name either an alias or a version number");
        }
        if (alias != null) {
            Checks.matches(alias, GatePolicy.ALIAS, "alias");
        }
        if (version != null && version < 1) {
            throw new IllegalArgumentException("version must be >= 1 but was " + version);
        }
    }

    public static AdapterRef alias(SegmentName segment, String alias) {
        return new AdapterRef(segment, alias, null);
    }

    public static AdapterRef version(SegmentName segment, int version) {
        return new AdapterRef(segment, null, version);
    }

    /** Parses {@code segment@alias} or {@code segment/number}; the message names the field {@code ref}. */
    public static AdapterRef parse(String text) {
        Checks.notBlank(text, "ref");
        int at = text.indexOf('@');
        int slash = text.indexOf('/');
        try {
            if (at > 0 && slash < 0) {
                return alias(new SegmentName(text.substring(0, at)), text.substring(at + 1));
            }
            if (slash > 0 && at < 0) {
                return version(new SegmentName(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the message below, which says what a ref looks like
        }
        throw new IllegalArgumentException("ref must look like 'segment@alias' or 'segment/3' but was '" + text + "'");
    }

    @Override
    public String toString() {
        return alias != null ? segment + "@" + alias : segment + "/" + version;
    }
}
