package dev.finetune.engine.cli;

import dev.finetune.engine.train.TrainingProgress;
import java.io.PrintWriter;

/**
 * The trainer's fixed-format line ({@link TrainingProgress#logLine()}) every {@code --log-every}
 * steps, at every evaluation and at the last step: what logs, pipes and scripts get.
 */
final class ProgressLines implements TrainingDisplay {

    private final PrintWriter out;
    private final int every;

    ProgressLines(PrintWriter out, int every) {
        this.out = out;
        this.every = Math.max(1, every);
    }

    @Override
    public void start(int step, int totalSteps) {
        // the header lines already said how many steps there are; a line per N steps needs no set-up
    }

    @Override
    public void onStep(TrainingProgress p) {
        if (p.step() % every == 0 || p.evalLoss() != null || p.step() == p.totalSteps()) {
            println(p.logLine());
        }
    }

    @Override
    public void println(String line) {
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
