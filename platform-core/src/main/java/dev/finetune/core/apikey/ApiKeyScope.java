package dev.finetune.core.apikey;

import dev.finetune.core.common.WireEnum;

/** What a key may do. {@link #ADMIN} implies every other scope; {@link #SUBMIT} implies {@link #READ}. */
public enum ApiKeyScope implements WireEnum {
    ADMIN, SUBMIT, READ;

    public boolean implies(ApiKeyScope other) {
        return this == other || this == ADMIN || (this == SUBMIT && other == READ);
    }

    public static ApiKeyScope fromWire(String wire) {
        return WireEnum.fromWire(ApiKeyScope.class, wire, "scope");
    }
}
