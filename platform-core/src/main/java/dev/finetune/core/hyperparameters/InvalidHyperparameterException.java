package dev.finetune.core.hyperparameters;

import dev.finetune.core.json.InvalidJsonException;

/** A hyperparameter broke a rule; {@link #field()} is its JSON name, e.g. {@code lora_r}. */
public class InvalidHyperparameterException extends InvalidJsonException {

    public InvalidHyperparameterException(String field, String rule) {
        super(field, field + " " + rule);
    }
}
