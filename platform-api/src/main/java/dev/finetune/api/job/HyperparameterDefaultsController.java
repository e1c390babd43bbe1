package dev.finetune.api.job;

import java.util.Map;

import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/fine-tuning/hyperparameters}: what a job with no hyperparameters trains with,
 * in the job body's own snake_case form. The values are the shared training settings' defaults
 * (training-settings), the same the CLI's flags default to; the dashboard shows and compares against
 * this document instead of keeping its own copy.
 */
@RestController
class HyperparameterDefaultsController {

    @GetMapping("/api/v1/fine-tuning/hyperparameters")
    Hyperparameters defaults(@AuthenticationPrincipal Caller caller) {
        caller.require(ApiKeyScope.READ);
        return Hyperparameters.defaults();
    }

    /** {@code GET .../hyperparameters/bounds}: each field's type, range and choices ({@link HyperparameterBounds}). */
    @GetMapping("/api/v1/fine-tuning/hyperparameters/bounds")
    Map<String, HyperparameterBounds> bounds(@AuthenticationPrincipal Caller caller) {
        caller.require(ApiKeyScope.READ);
        return HyperparameterBounds.all();
    }
}
