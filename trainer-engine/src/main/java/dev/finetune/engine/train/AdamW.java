package dev.finetune.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.runtime.EngineRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW exactly as {@code torch.optim.AdamW} computes it (decoupled weight decay applied first,
 * bias-corrected moments). Written here rather than taken from DJL because DJL's optimizers keep
 * their moment estimates private, and exact resume needs to save and restore them.
 */
public final class AdamW implements AutoCloseable {

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, NDArray[]> moments = new LinkedHashMap<>();
    private int stepCount;

    public AdamW(TrainingConfig config) {
        this.beta1 = config.beta1();
        this.beta2 = config.beta2();
        this.epsilon = config.adamEpsilon();
        this.weightDecay = config.weightDecay();
    }

    public int stepCount() {
        return stepCount;
    }

    /** Updates every parameter from its gradient, then zeroes the gradients. */
    public void step(List<NamedParameter> params, double lr) {
        stepCount++;
        double bc1 = 1 - Math.pow(beta1, stepCount);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, stepCount));
        EngineRuntime.noGrad(() -> {
            for (NamedParameter p : params) {
                try (NDScope ignored = new NDScope()) {
                    NDArray w = p.value();
                    NDArray g = w.getGradient();
                    NDArray[] mv = moments.computeIfAbsent(p.name(), k -> newMoments(w));
                    mv[0].muli(beta1).addi(g.mul(1 - beta1));
                    mv[1].muli(beta2).addi(g.square().muli(1 - beta2));
                    if (weightDecay > 0) {
                        w.muli(1 - lr * weightDecay);
                    }
                    NDArray denom = mv[1].sqrt().divi(bc2Sqrt).addi(epsilon);
                    w.subi(mv[0].div(denom).muli(lr / bc1));
                    EngineRuntime.zeroGradient(w);
                }
            }
            return null;
        });
    }

    private static NDArray[] newMoments(NDArray w) {
        NDArray m = w.zerosLike();
        NDArray v = w.zerosLike();
        NDScope.unregister(m, v);
        return new NDArray[] {m, v};
    }

    /** First and second moments by parameter name, for checkpoints. */
    public Map<String, NDArray[]> moments() {
        return moments;
    }

    /** Restores state saved by a checkpoint. */
    public void restore(int steps, Map<String, NDArray[]> state) {
        close();
        moments.putAll(state);
        stepCount = steps;
    }

    @Override
    public void close() {
        moments.values().forEach(mv -> {
            mv[0].close();
            mv[1].close();
        });
        moments.clear();
    }
}
