package dev.finetune.registry;

import java.util.UUID;
import java.util.regex.Pattern;

import dev.finetune.core.common.Checks;

/**
 * The base model a caller will load an adapter onto: its id or name, and optionally its weights'
 * fingerprint (the sha256 the worker records as a version's {@code base_model_sha256}: the
 * {@code finetune.base_model_fingerprint} in the adapter's safetensors metadata and
 * {@code base_model_fingerprint} in its training_summary.json). Resolution refuses an adapter trained
 * on anything else, and an adapter whose version has no recorded fingerprint when one is asked for:
 * what cannot be checked is not served.
 */
public record BaseModelExpectation(String idOrName, String weightsSha256) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public BaseModelExpectation {
        Checks.maxLength(Checks.notBlank(idOrName, "base_model"), 255, "base_model");
        if (weightsSha256 != null && !weightsSha256.isBlank()) {
            Checks.matches(weightsSha256, SHA256, "base_model_sha256");
        } else {
            weightsSha256 = null;
        }
    }

    boolean matches(AdapterVersion v) {
        boolean sameModel = asUuid() != null ? asUuid().equals(v.baseModelId()) : idOrName.equals(v.baseModelName());
        boolean sameWeights = weightsSha256 == null || weightsSha256.equals(v.baseModelSha256());
        return sameModel && sameWeights;
    }

    private UUID asUuid() {
        try {
            return UUID.fromString(idOrName);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
