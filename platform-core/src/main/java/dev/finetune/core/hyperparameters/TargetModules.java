package dev.finetune.core.hyperparameters;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Which linear layers get LoRA weights: a list of module names ({@code ["q_proj","v_proj"]}) or
 * the word {@code "all-linear"}, exactly as PEFT accepts them.
 */
public record TargetModules(boolean allLinear, List<String> names) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{1,128}");

    public static final String ALL_LINEAR = "all-linear";
    public static final TargetModules DEFAULT = new TargetModules(false, List.of("q_proj", "v_proj"));
    public static final TargetModules ALL = new TargetModules(true, List.of());

    public TargetModules {
        names = names == null ? List.of() : List.copyOf(names);
        if (!allLinear) {
            if (names.isEmpty()) {
                throw new InvalidHyperparameterException("target_modules", "must not be empty");
            }
            for (String name : names) {
                if (!NAME.matcher(name).matches()) {
                    throw new InvalidHyperparameterException("target_modules",
                            "must contain module names matching " + NAME.pattern() + " but contained '" + name + "'");
                }
            }
        } else if (!names.isEmpty()) {
            throw new InvalidHyperparameterException("target_modules", "is either \"all-linear\" or a list, not both");
        }
    }

    public static TargetModules of(String... names) {
        return new TargetModules(false, List.of(names));
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static TargetModules fromJson(Object json) {
        if (json instanceof String s) {
            if (ALL_LINEAR.equals(s)) {
                return ALL;
            }
            throw new InvalidHyperparameterException("target_modules", "must be \"all-linear\" or a list of names but was \"" + s + "\"");
        }
        if (json instanceof List<?> list) {
            return new TargetModules(false, list.stream().map(o -> {
                if (!(o instanceof String name)) {
                    throw new InvalidHyperparameterException("target_modules", "must contain only strings");
                }
                return name;
            }).toList());
        }
        throw new InvalidHyperparameterException("target_modules", "must be \"all-linear\" or a list of names");
    }

    @JsonValue
    public Object toJson() {
        return allLinear ? ALL_LINEAR : names;
    }
}
