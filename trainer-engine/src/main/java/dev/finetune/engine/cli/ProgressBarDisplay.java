package dev.finetune.engine.cli;

import dev.finetune.engine.train.TrainingProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar (me.tongfei:progressbar) over the run's optimizer steps, with elapsed time, ETA and
 * the latest loss, learning rate and tokens/s, redrawn in place on a terminal. Evaluations and
 * checkpoints are printed as lines above the bar so their history stays on screen.
 *
 * <p>The library redraws from its own thread; drawing the bar and printing a line share one lock so
 * they never interleave mid-line.
 */
final class ProgressBarDisplay implements TrainingDisplay {

    /** Redraw interval, also while a step runs, so elapsed time and ETA keep moving on slow steps. */
    private static final int REDRAW_MILLIS = 250;
    /** ANSI "erase the whole line": removes the bar before a line is printed in its place. */
    private static final String ERASE_LINE = "\u001b[2K";

    private final PrintWriter out;
    private final Object lock = new Object();
    /** Columns of the terminal; 0 asks the terminal. */
    private final int width;
    private ProgressBar bar;
    private BarLine line;

    ProgressBarDisplay(PrintWriter out, int width) {
        this.out = out;
        this.width = width;
    }

    /** A bar as wide as the terminal stdout is. */
    static ProgressBarDisplay onTerminal(PrintWriter out) {
        return new ProgressBarDisplay(out, 0);
    }

    @Override
    public void start(int step, int totalSteps) {
        line = width > 0 ? new BarLine(out, lock, width) : new BarLine(out, lock);
        // startsFrom: a resumed run's ETA counts only the steps this process has timed
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps).startsFrom(step, Duration.ZERO)
                .setStyle(ProgressBarStyle.UNICODE_BLOCK).continuousUpdate().setUpdateIntervalMillis(REDRAW_MILLIS)
                .setConsumer(line).build();
    }

    @Override
    public void onStep(TrainingProgress p) {
        if (bar == null) {
            start(p.step() - 1, p.totalSteps());
        }
        bar.stepTo(p.step());
        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f | lr %.2e | %.0f tok/s", p.loss(), p.learningRate(),
                p.tokensPerSecond()));
        if (p.evalLoss() != null) {
            println(p.logLine());
        }
    }

    @Override
    public void println(String line) {
        synchronized (lock) {
            out.print("\r" + ERASE_LINE);
            out.println(line);
            out.flush();
        }
    }

    /**
     * Draws the final state and ends the bar's line. The library's close draws the final state on its
     * one refresh thread and waits for it, but closes the consumer only when an earlier periodic refresh
     * has run: a run that ends before the first one (a fast run, a busy machine) would leave the cursor
     * on the bar's line. So the line is ended here, once, after the library is done drawing.
     */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            line.close();
        }
    }

    /** Draws each rendering over the previous one ({@code \r}), one column short of the width so it never wraps. */
    static final class BarLine extends DelegatingProgressBarConsumer {
        private final PrintWriter out;
        private final Object lock;
        /** Set at close: a periodic refresh still under way on the library's thread then draws nothing. */
        private final AtomicBoolean closed;

        BarLine(PrintWriter out, Object lock, int width) {
            this(out, lock, width, new AtomicBoolean());
        }

        private BarLine(PrintWriter out, Object lock, int width, AtomicBoolean closed) {
            super(rendered -> draw(out, lock, closed, rendered), width);
            this.out = out;
            this.lock = lock;
            this.closed = closed;
        }

        /** For a terminal as wide as the one stdout is (asked once, through the library's JLine terminal). */
        BarLine(PrintWriter out, Object lock) {
            this(out, lock, new AtomicBoolean());
        }

        private BarLine(PrintWriter out, Object lock, AtomicBoolean closed) {
            super(rendered -> draw(out, lock, closed, rendered));
            this.out = out;
            this.lock = lock;
            this.closed = closed;
        }

        @Override
        public int getMaxRenderedLength() {
            return super.getMaxRenderedLength() - 1;
        }

        private static void draw(PrintWriter out, Object lock, AtomicBoolean closed, String rendered) {
            synchronized (lock) {
                if (closed.get()) {
                    return;
                }
                out.print("\r" + rendered);
                out.flush();
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (closed.getAndSet(true)) {
                    return;
                }
                out.println();
                out.flush();
            }
        }
    }
}
