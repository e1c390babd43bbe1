package dev.finetune.core.hyperparameters;

import java.util.List;

import dev.finetune.core.json.InvalidJsonException;

/**
 * A hyperparameter broke a rule; {@link #field()} is its JSON name, e.g. {@code lora_r}, and the
 * message the first broken rule. {@link #violations()} lists every field that broke one, first
 * included, so a client can show each error next to its field at once.
 */
public class InvalidHyperparameterException extends InvalidJsonException {

    /** One broken rule: the field's JSON name and the message, e.g. {@code lora_r must be > 0 but was 0}. */
    public record Violation(String field, String message) {
    }

    private final List<Violation> violations;

    public InvalidHyperparameterException(String field, String rule) {
        this(List.of(new Violation(field, field + " " + rule)));
    }

    /** @param violations every broken rule, at least one; the first is the exception's field and message */
    public InvalidHyperparameterException(List<Violation> violations) {
        super(violations.get(0).field(), violations.get(0).message());
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
