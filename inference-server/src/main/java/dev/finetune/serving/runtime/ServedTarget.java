package dev.finetune.serving.runtime;

import java.time.Instant;

import dev.finetune.core.model.BaseModel;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.settings.FineTuningMethod;

/**
 * What a request's {@code model} names, resolved for the caller's tenant: a base model alone, one
 * adapter version on its base, or one job checkpoint's adapter on its base.
 *
 * @param requested the name as the request gave it
 * @param base the base model the answer runs on
 * @param version the adapter version, or null for the base alone or a checkpoint
 * @param alias the alias the name went through ({@code production} of {@code support@production}), or null
 * @param checkpoint the job checkpoint, or null for the base alone or a version
 */
public record ServedTarget(String requested, BaseModel base, AdapterVersion version, String alias,
        ServedCheckpoint checkpoint) {

    public ServedTarget {
        if (version != null && checkpoint != null) {
            throw new IllegalArgumentException("a target is a version or a checkpoint, not both");
        }
    }

    static ServedTarget base(String requested, BaseModel base) {
        return new ServedTarget(requested, base, null, null, null);
    }

    static ServedTarget version(String requested, BaseModel base, AdapterVersion version, String alias) {
        return new ServedTarget(requested, base, version, alias, null);
    }

    static ServedTarget checkpoint(String requested, BaseModel base, ServedCheckpoint checkpoint) {
        return new ServedTarget(requested, base, null, null, checkpoint);
    }

    public boolean isAdapter() {
        return version != null || checkpoint != null;
    }

    public boolean isCheckpoint() {
        return checkpoint != null;
    }

    /**
     * The adapter that answers: {@code support/3} for a version, {@code <job id>:step-<n>} for a
     * checkpoint, null for the base (what {@code X-Adapter-Version} says).
     */
    public String adapterRef() {
        return version != null ? version.ref() : checkpoint != null ? checkpoint.name() : null;
    }

    /** {@code version support/3} or {@code checkpoint <job id>:step-<n>}, for messages. */
    String describe() {
        return (version != null ? "version " : "checkpoint ") + adapterRef();
    }

    /**
     * What {@code system_fingerprint} says: the adapter that answered ({@code support/3},
     * {@code <job id>:step-<n>}), or {@code base:<name>} when no adapter was asked for.
     */
    public String fingerprint() {
        return isAdapter() ? adapterRef() : "base:" + base.name();
    }

    /** How the adapter was trained; null for the base. */
    public FineTuningMethod method() {
        return version != null ? version.method() : checkpoint != null ? checkpoint.method() : null;
    }

    public boolean isQlora() {
        return method() == FineTuningMethod.QLORA;
    }

    /** When the adapter (or the base) came to be: {@code created} of {@code GET /v1/models/{model}}. */
    public Instant createdAt() {
        return version != null ? version.createdAt() : checkpoint != null ? checkpoint.createdAt() : base.createdAt();
    }

    /** {@code owned_by}: the adapter's segment, else {@code system} for a global base, {@code organization} for the tenant's own. */
    public String ownedBy() {
        return version != null ? version.segment() : checkpoint != null ? checkpoint.segment()
                : base.isGlobal() ? "system" : "organization";
    }
}
