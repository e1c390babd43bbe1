package dev.finetune.serving.runtime;

import dev.finetune.registry.AdapterVersion;
import dev.finetune.serving.web.ServingError;
import dev.finetune.serving.web.ServingException;

/**
 * A version records the fingerprint of the base weights it was trained on; serving it on other
 * weights would answer with a model nobody evaluated, so it is a 409 {@code base_model_mismatch}
 * instead. One check for the shared pool's adapter cache and for a merged pool.
 */
final class BaseWeightsCheck {

    private BaseWeightsCheck() {
    }

    /**
     * Refuses {@code version} on a base named {@code baseName} whose weights have {@code fingerprint};
     * passes when either side recorded none.
     */
    static void requireTrainedOn(String requested, AdapterVersion version, String baseName, String fingerprint) {
        String trained = version.baseModelSha256();
        if (trained == null || fingerprint == null || trained.equals(fingerprint)) {
            return;
        }
        throw new ServingException(ServingError.BASE_MODEL_MISMATCH, requested + " is version " + version.ref()
                + ", trained on base model '" + version.baseModelName() + "' with weights " + abbreviate(trained)
                + "; the loaded '" + baseName + "' has weights " + abbreviate(fingerprint)
                + ", so it cannot be served on it", "model");
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }
}
