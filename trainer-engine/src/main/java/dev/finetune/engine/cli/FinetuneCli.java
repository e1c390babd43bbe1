package dev.finetune.engine.cli;

import dev.finetune.engine.runtime.EngineRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code finetune} command line: {@code train}, {@code generate} and {@code validate}.
 *
 * <p>Exit codes: 0 success, 1 internal error (a bug: the stack trace is printed), 2 user error (bad
 * flag, dataset, model or adapter; one paragraph on stderr), 3 training diverged.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, version = "finetune 0.1.0",
        description = "Fine-tune Llama-family models with LoRA, QLoRA or bottleneck adapters, on CPU or GPU.",
        subcommands = {TrainCommand.class, GenerateCommand.class, ValidateCommand.class,
            CommandLine.HelpCommand.class})
public final class FinetuneCli implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a command: train, generate or validate");
    }

    public static void main(String[] args) {
        // the command line prints its own lines; libraries speak only at WARN, on stderr (the worker,
        // from the same jar, keeps Spring Boot's logging, so this is not a logback.xml on the classpath)
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-cli.xml");
        }
        EngineRuntime.init();
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code java -jar} runs it: picocli with this project's one-paragraph usage errors. */
    static CommandLine commandLine() {
        return new CommandLine(new FinetuneCli()).setParameterExceptionHandler(new UsageErrors());
    }
}
