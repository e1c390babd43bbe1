package dev.finetune.worker;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of the runnable jar. {@code worker} (or no argument) starts the Spring Boot worker;
 * anything else goes to the command-line trainer, {@code dev.finetune.engine.cli.FinetuneCli},
 * which is looked up by name so that the worker starts even in a build without the CLI.
 */
public final class Main {

    static final String WORKER = "worker";
    static final String CLI_CLASS = "dev.finetune.engine.cli.FinetuneCli";

    private Main() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0 || WORKER.equals(args[0])) {
            String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
            WorkerApplication.main(rest);
            return;
        }
        Method cli;
        try {
            cli = Class.forName(CLI_CLASS).getMethod("main", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            System.err.println("unknown command '" + args[0] + "': this build has no command-line trainer; "
                    + "run 'worker' to start the training worker");
            System.exit(2);
            return;
        }
        try {
            cli.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
