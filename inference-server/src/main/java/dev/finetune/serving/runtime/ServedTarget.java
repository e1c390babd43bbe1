package dev.finetune.serving.runtime;

import dev.finetune.core.model.BaseModel;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.settings.FineTuningMethod;

/**
 * What a request's {@code model} names, resolved for the caller's tenant: a base model alone, or one
 * adapter version on its base.
 *
 * @param requested the name as the request gave it
 * @param base the base model the answer runs on
 * @param version the adapter version, or null for the base alone
 * @param alias the alias the name went through ({@code production} of {@code support@production}), or null
 */
public record ServedTarget(String requested, BaseModel base, AdapterVersion version, String alias) {

    public boolean isAdapter() {
        return version != null;
    }

    /** {@code support/3}: the version that answers, or null for the base. */
    public String versionRef() {
        return version == null ? null : version.ref();
    }

    /**
     * What {@code system_fingerprint} says: the adapter version that answered ({@code support/3}),
     * or {@code base:<name>} when no adapter was asked for.
     */
    public String fingerprint() {
        return version == null ? "base:" + base.name() : version.ref();
    }

    public boolean isQlora() {
        return version != null && version.method() == FineTuningMethod.QLORA;
    }
}
