package dev.finetune.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.model.Linear;
import dev.finetune.engine.runtime.EngineRuntime;
import java.util.Map;

/**
 * Weight-decomposed LoRA (DoRA, Liu et al. 2024) as Hugging Face PEFT computes it ({@code use_dora}).
 * The adapted weight is split into a direction and a per-output-feature magnitude {@code m}:
 * {@code W' = m * (W + s B A) / ||W + s B A||}, the norm taken over each row of the {@code [out, in]}
 * weight (the paper's column-wise norm of {@code W^T}). With {@code scale = m / ||W + s B A||}:
 * <pre>
 * result = base(x) + (scale - 1) * (base(x) - bias) + scale * lora_B(lora_A(x)) * s
 * </pre>
 * which equals {@code x W'^T + bias}. As in PEFT (and section 4.3 of the paper) the norm is computed
 * from a detached {@code B A} and is itself detached: it follows the update but gets no gradient, so
 * {@code m}, {@code A} and {@code B} train. With dropout active PEFT feeds the dropped {@code x} to both
 * terms and recomputes the base term as {@code dropout(x) W^T}; so does this class.
 *
 * <p>{@code m} starts at {@code ||W + s B A||} (PEFT's {@code update_layer}), so a fresh adapter starts at
 * the base model; it is saved as {@code <module>.lora_magnitude_vector}, shape {@code [out]}.
 */
final class Dora implements LoraVariant {

    static final String MAGNITUDE = "lora_magnitude_vector";

    private final NDArray magnitude;

    /** Wraps a magnitude vector (a fresh one, or one read from an adapter file) and makes it trainable. */
    Dora(NDArray magnitude) {
        this.magnitude = magnitude;
        magnitude.setRequiresGradient(true);
    }

    /** PEFT's initialisation: the row norms of {@code W + s B A}, from the dequantized weight for NF4. */
    static Dora initialise(Linear base, NDArray loraA, NDArray loraB, double scaling, NDManager manager) {
        float[] norms = EngineRuntime.noGrad(() -> {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray delta = loraB.stopGradient().matMul(loraA.stopGradient()).mul(scaling);
                return rowNorms(base.denseWeight(manager).add(delta)).toFloatArray();
            }
        });
        return new Dora(manager.create(norms, new Shape(norms.length)));
    }

    @Override
    public NDArray forward(LoraLinear layer, NDArray x, NDArray baseOutput) {
        NDManager step = x.getManager();
        NDArray weight = layer.base().denseWeight(step);
        NDArray scale = magnitude.div(weightNorm(layer, weight, step));
        // the result of an op joins its left operand's manager: keep the step's arrays out of the model's
        scale.attach(step);
        NDArray input = layer.dropout(x);
        NDArray baseResult;
        if (layer.dropoutActive()) {
            baseResult = input.matMul(weight.transpose());
        } else {
            NDArray bias = layer.base().bias();
            baseResult = bias == null ? baseOutput : baseOutput.sub(bias);
        }
        return baseOutput.add(scale.sub(1).mul(baseResult)).add(scale.mul(layer.update(input)));
    }

    /**
     * {@code ||W + s B A||} per output row, detached. Its weight-sized temporaries are released here at once
     * (they would otherwise join the model's manager and outlive a generation step); the norm goes with
     * {@code step} and with the caller's scope.
     */
    private static NDArray weightNorm(LoraLinear layer, NDArray weight, NDManager step) {
        NDArray norm;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            norm = rowNorms(weight.add(layer.delta())).stopGradient();
            NDScope.unregister(norm);
        }
        norm.attach(step);
        NDScope.register(norm);
        return norm;
    }

    @Override
    public NDArray mergedWeight(LoraLinear layer) {
        NDArray combined = layer.base().denseWeight().add(layer.delta());
        NDArray scale = magnitude.stopGradient().div(rowNorms(combined));
        return combined.mul(scale.expandDims(1));
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Map.of(MAGNITUDE, magnitude);
    }

    NDArray magnitude() {
        return magnitude;
    }

    /** L2 norm of each row of a {@code [out, in]} weight, as {@code torch.linalg.norm(weight, dim=1)}. */
    private static NDArray rowNorms(NDArray weight) {
        return weight.square().sum(new int[] {1}).sqrt();
    }

    @Override
    public void close() {
        magnitude.close();
    }
}
