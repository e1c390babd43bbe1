package dev.finetune.engine.train;

import java.time.Duration;

/**
 * One optimizer step as the platform streams it.
 *
 * @param step optimizer steps completed (1-based)
 * @param totalSteps steps the run will take unless stopped early
 * @param epoch fractional epoch reached
 * @param loss mean training loss of this step's micro-batches
 * @param evalLoss eval loss if this step evaluated, else null
 * @param learningRate the learning rate this step used
 * @param gradNorm global gradient norm before clipping
 * @param tokensPerSecond real (non-padding) tokens per second over this step
 * @param trainedTokens real tokens processed so far
 * @param eta estimated time to finish, from the mean step time so far
 */
public record TrainingProgress(int step, int totalSteps, double epoch, double loss, Double evalLoss,
                               double learningRate, double gradNorm, double tokensPerSecond, long trainedTokens,
                               Duration eta) {

    /** The fixed-format log line: {@code step 10/100 | epoch 0.40 | loss 2.3456 | lr 2.00e-04 | ...}. */
    public String logLine() {
        return String.format(java.util.Locale.ROOT,
                "step %d/%d | epoch %.2f | loss %.4f%s | lr %.2e | grad_norm %.3f | %.0f tok/s | eta %s",
                step, totalSteps, epoch, loss, evalLoss == null ? "" : String.format(java.util.Locale.ROOT,
                        " | eval_loss %.4f", evalLoss), learningRate, gradNorm, tokensPerSecond, format(eta));
    }

    private static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
