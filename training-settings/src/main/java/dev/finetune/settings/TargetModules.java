package dev.finetune.settings;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which linear layers get LoRA weights: module names matched as a suffix of the module path
 * ({@code ["q_proj","v_proj"]}), or every linear layer but the output head ({@code "all-linear"}),
 * exactly as PEFT accepts them.
 */
public record TargetModules(boolean allLinear, List<String> names) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{1,128}");

    public static final String ALL_LINEAR = "all-linear";
    /**
     * The query and value projections: what PEFT picks for Llama when none are named, and what the LoRA and
     * QLoRA papers adapt. {@link #ALL} adds capacity (QLoRA's paper finds it needed to match full fine-tuning)
     * at the cost of memory.
     */
    public static final TargetModules DEFAULT = new TargetModules(false, List.of("q_proj", "v_proj"));
    public static final TargetModules ALL = new TargetModules(true, List.of());

    public TargetModules {
        names = names == null ? List.of() : List.copyOf(names);
        if (!allLinear) {
            if (names.isEmpty()) {
                throw new InvalidSettingException("target_modules", "must not be empty");
            }
            for (String name : names) {
                if (!NAME.matcher(name).matches()) {
                    throw new InvalidSettingException("target_modules",
                            "must contain module names matching " + NAME.pattern() + " but contained '" + name + "'");
                }
            }
        } else if (!names.isEmpty()) {
            throw new InvalidSettingException("target_modules", "is either \"all-linear\" or a list, not both");
        }
    }

    public static TargetModules of(String... names) {
        return new TargetModules(false, List.of(names));
    }

    /** The single word form: only {@code all-linear} is one. */
    public static TargetModules fromWord(String word) {
        if (ALL_LINEAR.equals(word)) {
            return ALL;
        }
        throw new InvalidSettingException("target_modules", "must be \"all-linear\" or a list of names but was \"" + word + "\"");
    }

    /** A command line's list: the single entry {@code all-linear}, or module names. */
    public static TargetModules parse(List<String> words) {
        List<String> names = words.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        return names.equals(List.of(ALL_LINEAR)) ? ALL : new TargetModules(false, names);
    }

    /** The PEFT form: the names, or the single entry {@code all-linear}. */
    public List<String> asList() {
        return allLinear ? List.of(ALL_LINEAR) : names;
    }

    @Override
    public String toString() {
        return String.join(",", asList());
    }
}
