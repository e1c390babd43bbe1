package dev.finetune.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.runtime.EngineRuntime;
import java.util.List;

/** Global-norm gradient clipping as {@code torch.nn.utils.clip_grad_norm_} does it. */
final class GradientClipping {

    private GradientClipping() {}

    /** Names of parameters whose gradient holds a NaN or infinite value (for the divergence message). */
    static java.util.List<String> nonFinite(List<NamedParameter> params) {
        return EngineRuntime.noGrad(() -> {
            java.util.List<String> bad = new java.util.ArrayList<>();
            try (NDScope ignored = new NDScope()) {
                for (NamedParameter p : params) {
                    float s = p.value().getGradient().abs().sum().getFloat();
                    if (!Float.isFinite(s)) {
                        bad.add(p.name());
                    }
                }
            }
            return bad;
        });
    }

    /** Returns the norm before clipping; scales gradients down when it exceeds {@code maxNorm} (> 0). */
    static double clip(List<NamedParameter> params, double maxNorm) {
        return EngineRuntime.noGrad(() -> {
            double sumSquares = 0;
            try (NDScope ignored = new NDScope()) {
                for (NamedParameter p : params) {
                    sumSquares += p.value().getGradient().square().sum().getFloat();
                }
                double norm = Math.sqrt(sumSquares);
                if (maxNorm > 0 && Double.isFinite(norm)) {
                    double coef = maxNorm / (norm + 1e-6);
                    if (coef < 1) {
                        for (NamedParameter p : params) {
                            NDArray g = p.value().getGradient();
                            g.muli(coef);
                        }
                    }
                }
                return norm;
            }
        });
    }
}
