package dev.finetune.engine.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Flags that picocli cannot parse, as one short paragraph on stderr and exit code 2, like every other
 * user error: an unknown flag is named with the closest real one ({@code unknown flag --modle (did you
 * mean --model?)}), a missing one with its value label, and the last line points to {@code --help}
 * instead of printing the whole usage text.
 */
final class UsageErrors implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("error: " + describe(ex, args));
        err.println("run '" + command.getCommandSpec().qualifiedName() + " --help' to see every flag");
        err.flush();
        return CliCommand.USER_ERROR;
    }

    static String describe(ParameterException ex, String[] args) {
        CommandSpec spec = ex.getCommandLine().getCommandSpec();
        if (ex instanceof UnmatchedArgumentException unmatched) {
            return unmatched(spec, unmatched.getUnmatched());
        }
        // picocli checks required flags before it reports unknown ones, but in `train --modle x` the typo is
        // the reason --model is missing: name it first
        List<String> unknown = ex.getCommandLine().getUnmatchedArguments();
        if (!unknown.isEmpty()) {
            return unmatched(spec, unknown);
        }
        if (ex instanceof MissingParameterException missing) {
            return missing(missing.getMissing(), Arrays.asList(args));
        }
        return ex.getMessage();
    }

    private static String unmatched(CommandSpec spec, List<String> unmatched) {
        String word = unmatched.isEmpty() ? "" : unmatched.get(0);
        if (!spec.subcommands().isEmpty() && !word.startsWith("-")) {
            return "unknown command '" + word + "'" + FlagSuggestion.closest(word, spec.subcommands().keySet())
                    .map(s -> " (did you mean " + s + "?)").orElse("");
        }
        Optional<String> flag = unmatched.stream().filter(a -> a.startsWith("-") && a.length() > 1).findFirst();
        if (flag.isPresent()) {
            String typed = flag.get().contains("=") ? flag.get().substring(0, flag.get().indexOf('=')) : flag.get();
            List<String> flags = spec.options().stream().flatMap(o -> Arrays.stream(o.names()))
                    .filter(n -> n.startsWith("--")).toList();
            return "unknown flag " + typed + FlagSuggestion.closest(typed, flags).map(s -> " (did you mean " + s + "?)")
                    .orElse("");
        }
        return "unexpected argument '" + word + "': " + spec.name() + " takes only flags (is a flag name missing "
                + "before it, or a value with spaces not quoted?)";
    }

    /** "missing required flag --data FILE", or "--max-steps needs a value (N)" when the flag was given bare. */
    private static String missing(List<ArgSpec> missing, List<String> args) {
        List<OptionSpec> options = missing.stream().filter(ArgSpec::isOption).map(OptionSpec.class::cast).toList();
        if (options.isEmpty()) {
            return missing.stream().map(ArgSpec::paramLabel).collect(Collectors.joining(", ", "missing ", ""));
        }
        for (OptionSpec option : options) {
            if (given(option, args)) {
                return option.longestName() + " needs a value (" + option.paramLabel() + ")";
            }
        }
        return (options.size() == 1 ? "missing required flag " : "missing required flags ")
                + options.stream().map(UsageErrors::withLabel).collect(Collectors.joining(", "));
    }

    private static boolean given(OptionSpec option, List<String> args) {
        return Arrays.stream(option.names()).anyMatch(n -> args.stream().anyMatch(a -> a.equals(n) || a.startsWith(n + "=")));
    }

    private static String withLabel(OptionSpec option) {
        return option.arity().max() == 0 ? option.longestName() : option.longestName() + " " + option.paramLabel();
    }
}
