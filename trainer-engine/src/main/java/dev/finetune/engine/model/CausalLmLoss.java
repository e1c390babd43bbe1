package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.runtime.Scalars;

/**
 * Next-token cross-entropy with Hugging Face's conventions: labels are aligned with the input
 * ids, shifted inside the loss (position {@code t} predicts label {@code t+1}), and label
 * {@code -100} marks tokens that carry no loss (prompt, padding). The result is the mean over
 * the tokens that do.
 *
 * <p>Training and evaluation use {@link #chunked}: the head runs only on positions that predict a label, a
 * few hundred rows at a time, so the full {@code [T, vocab]} logits (and their log-softmax and its
 * gradient) never exist at once. {@link #compute} is the whole-logits form, kept as its reference.
 */
public final class CausalLmLoss {

    public static final int IGNORE_INDEX = -100;

    private CausalLmLoss() {}

    /** The loss and how many target tokens it averaged over. */
    public record Result(NDArray loss, int tokens) {}

    /** Logits of a chunk are at most this many bytes (float32), whatever the vocabulary. */
    static final long CHUNK_LOGIT_BYTES = 32L << 20;

    /**
     * The loss from the last block's hidden states: final norm and head on the positions that predict a
     * label only, in chunks of rows. Each chunk's intermediates live in a scope of their own and are freed
     * before the next chunk; with {@code gc} non-null each chunk's share of {@code loss / divisor} is
     * backpropagated inside that scope (gradients accumulate in {@code hidden}'s and the trainable weights'
     * gradients). Equal to {@code compute(model.head(hidden), labels)} up to float32 summation order. The
     * returned loss (not divided) is a float32 scalar on {@code hidden}'s manager.
     *
     * <p>A frozen head held in 16 bits ({@link HalfStoredLinear}) is backpropagated by hand: the gradient of the
     * normed rows is {@code (softmax @ W - W[target]) / (tokens * divisor)}, computed a vocabulary slice at a
     * time, so autograd never keeps widened float32 slices of the head alive (it would keep all of them,
     * a float32 copy of the head, until the chunk's backward).
     *
     * @param hidden {@code [B, T, H]}, the input of the final norm
     * @param labels row-major {@code [B * T]}
     * @param gc     the open gradient collector, or {@code null} for the loss alone (evaluation)
     */
    public static Result chunked(LlamaModel model, NDArray hidden, int[] labels, GradientCollector gc, double divisor) {
        long rows = Math.max(1, CHUNK_LOGIT_BYTES / (4L * model.config().vocabSize()));
        return chunked(model, hidden, labels, gc, divisor, (int) Math.min(Integer.MAX_VALUE, rows));
    }

    /** {@link #chunked(LlamaModel, NDArray, int[], GradientCollector, double)}, at most {@code chunkRows} positions a chunk. */
    static Result chunked(LlamaModel model, NDArray hidden, int[] labels, GradientCollector gc, double divisor,
                          int chunkRows) {
        Shape s = hidden.getShape();
        int batch = (int) s.get(0);
        int len = (int) s.get(1);
        long[] rows = new long[batch * Math.max(0, len - 1)];
        long[] targets = new long[rows.length];
        int count = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < len - 1; t++) {
                int label = labels[b * len + t + 1];
                if (label != IGNORE_INDEX) {
                    rows[count] = (long) b * len + t;
                    targets[count] = label;
                    count++;
                }
            }
        }
        NDManager m = hidden.getManager();
        if (count == 0) {
            return new Result(m.create(0f), 0);
        }
        int chunk = Math.min(count, chunkRows);
        NDArray flat = hidden.reshape((long) batch * len, s.get(2));
        HalfStoredLinear halfHead = model.lmHead().linear() instanceof HalfStoredLinear h ? h : null;
        double scale = 1.0 / (count * divisor);
        double sum = 0;
        for (int from = 0; from < count; from += chunk) {
            int to = Math.min(count, from + chunk);
            try (NDScope scope = new NDScope()) {
                long[] picked = java.util.Arrays.copyOfRange(targets, from, to);
                NDArray index = m.create(picked, new Shape(to - from, 1));
                if (gc != null && halfHead != null) {
                    NDArray normed = model.finalNorm().forward(LlamaModel.rows(flat, rows, from, to));
                    NDArray[] nllAndGrad = EngineRuntime.noGrad(() -> {
                        NDArray logProbs = halfHead.forward(normed.stopGradient()).logSoftmax(-1);
                        NDArray nll = logProbs.gather(index, -1).sum().neg();
                        NDArray grad = halfHead.inputGradient(logProbs.exp())
                                .subi(halfHead.rows(m.create(picked))).muli(scale);
                        return new NDArray[] {nll, grad};
                    });
                    gc.backward(normed.mul(nllAndGrad[1]).sum());
                    sum += nllAndGrad[0].getFloat();
                    continue;
                }
                NDArray logits = model.headRows(flat, rows, from, to);
                NDArray nll = logits.logSoftmax(-1).gather(index, -1).sum().neg();
                if (gc != null) {
                    gc.backward(nll.mul(Scalars.of(m, scale)));
                }
                sum += nll.getFloat();
            }
        }
        return new Result(m.create((float) (sum / count)), count);
    }

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
        return new Result(count == 0 ? sum : sum.div(Scalars.of(m, count)), count);
    }
}
