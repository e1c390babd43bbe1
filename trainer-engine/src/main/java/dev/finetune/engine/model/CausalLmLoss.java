package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Next-token cross-entropy with Hugging Face's conventions: labels are aligned with the input
 * ids, shifted inside the loss (position {@code t} predicts label {@code t+1}), and label
 * {@code -100} marks tokens that carry no loss (prompt, padding). The result is the mean over
 * the tokens that do.
 */
public final class CausalLmLoss {

    public static final int IGNORE_INDEX = -100;

    private CausalLmLoss() {}

    /** The loss and how many target tokens it averaged over. */
    public record Result(NDArray loss, int tokens) {}

    /**
     * @param logits {@code [B, T, V]}
     * @param labels row-major {@code [B * T]}
     */
    public static Result compute(NDArray logits, int[] labels) {
        Shape s = logits.getShape();
        int batch = (int) s.get(0);
        int len = (int) s.get(1);
        int[] targets = new int[batch * (len - 1)];
        float[] weights = new float[batch * (len - 1)];
        int count = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < len - 1; t++) {
                int label = labels[b * len + t + 1];
                boolean counted = label != IGNORE_INDEX;
                targets[b * (len - 1) + t] = counted ? label : 0;
                weights[b * (len - 1) + t] = counted ? 1f : 0f;
                count += counted ? 1 : 0;
            }
        }
        NDManager m = logits.getManager();
        NDArray index = m.create(LlamaModel.toLong(targets), new Shape(batch, len - 1, 1));
        NDArray mask = m.create(weights, new Shape(batch, len - 1));
        NDArray logProbs = logits.get(":, :-1, :").logSoftmax(-1);
        NDArray picked = logProbs.gather(index, -1).squeeze(-1);
        NDArray sum = picked.mul(mask).sum().neg();
        return new Result(count == 0 ? sum : sum.div(count), count);
    }
}
