package dev.finetune.engine.cli;

import dev.finetune.engine.train.TrainingListener;
import java.io.PrintWriter;
import java.util.function.BooleanSupplier;

/**
 * How {@code train} shows progress: a live progress bar with ETA for a person at a terminal
 * ({@link ProgressBarDisplay}), or the trainer's fixed-format line every {@code --log-every} steps for
 * logs, pipes and scripts ({@link ProgressLines}). {@link #choose} picks one by whether stdout is a
 * terminal.
 */
interface TrainingDisplay extends TrainingListener, AutoCloseable {

    /** Training is about to run from {@code step} (0, or a resumed checkpoint's step) to {@code totalSteps}. */
    void start(int step, int totalSteps);

    /** A line that must stay on screen (a checkpoint was written), printed above the bar if there is one. */
    void println(String line);

    /** Ends the display; a bar stays on screen in its last state. */
    @Override
    void close();

    /** The bar when {@code stdoutIsTerminal} says so, the fixed-format lines otherwise. */
    static TrainingDisplay choose(BooleanSupplier stdoutIsTerminal, PrintWriter out, int logEvery) {
        return stdoutIsTerminal.getAsBoolean() ? ProgressBarDisplay.onTerminal(out) : new ProgressLines(out, logEvery);
    }

    /**
     * Whether stdout is a terminal. Java 17's {@link System#console()} exists only when the JVM runs
     * from an interactive command line with neither stdin nor stdout redirected, so {@code finetune
     * train ... | tee log} and {@code > log} get the lines.
     */
    static boolean stdoutIsTerminal() {
        return System.console() != null;
    }
}
