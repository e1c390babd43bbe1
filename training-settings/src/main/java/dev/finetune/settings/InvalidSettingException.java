package dev.finetune.settings;

/**
 * A training setting broke a rule. {@link #field()} is the setting's snake_case name as the API
 * spells it ({@code lora_r}), {@link #rule()} what was wrong ({@code must be > 0 but was 0}); the
 * message is both: {@code lora_r must be > 0 but was 0}. The platform reports the field as the
 * problem's {@code param}; the CLI names its flag instead.
 */
public class InvalidSettingException extends IllegalArgumentException {

    private final String field;
    private final String rule;

    public InvalidSettingException(String field, String rule) {
        super(field + " " + rule);
        this.field = field;
        this.rule = rule;
    }

    public String field() {
        return field;
    }

    public String rule() {
        return rule;
    }
}
