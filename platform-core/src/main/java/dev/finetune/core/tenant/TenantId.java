package dev.finetune.core.tenant;

import java.util.UUID;

/** Identifies a tenant: the unit of isolation for data, keys, jobs and artifacts. */
public record TenantId(UUID value) {

    public TenantId {
        if (value == null) {
            throw new IllegalArgumentException("tenant_id must not be null");
        }
    }

    public static TenantId random() {
        return new TenantId(UUID.randomUUID());
    }

    /** Parses the canonical UUID form; throws {@link IllegalArgumentException} naming the field otherwise. */
    public static TenantId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("tenant_id must not be null");
        }
        try {
            return new TenantId(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tenant_id must be a UUID but was '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
