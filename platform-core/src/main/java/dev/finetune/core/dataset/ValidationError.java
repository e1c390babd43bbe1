package dev.finetune.core.dataset;

import dev.finetune.core.common.Checks;

/** One problem found in a dataset file; {@code line} is 1-based and null for file-level problems. */
public record ValidationError(Long line, String code, String message) {

    public ValidationError {
        Checks.notBlank(code, "code");
        Checks.notBlank(message, "message");
    }
}
