package dev.finetune.engine.train;

/**
 * The loss or the gradient became NaN or infinite. Training stops before the bad update touches
 * the weights; the message says what a person can change.
 */
public class TrainingDivergedException extends RuntimeException {

    private final int step;

    public TrainingDivergedException(int step, String what, double learningRate) {
        super(String.format(java.util.Locale.ROOT,
                "%s at step %d (learning rate %.2e): training stopped before the update was applied. Lower the "
                        + "learning rate (e.g. by 10x), keep max_grad_norm clipping on (1.0), add warmup, or check the "
                        + "dataset for empty or garbled records.", what, step, learningRate));
        this.step = step;
    }

    public int step() {
        return step;
    }
}
