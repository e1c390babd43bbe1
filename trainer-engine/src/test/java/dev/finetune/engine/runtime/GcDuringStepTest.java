package dev.finetune.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.engine.bottleneck.BottleneckAdapter;
import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.engine.lora.LoraAdapter;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A garbage collection between a forward pass and its backward changes no gradient. Every scalar that an autograd
 * operation keeps for its backward must be memory libtorch owns ({@link Scalars}): DJL's {@code mul(Number)} and
 * {@code pow(Number)} wrap the number in a tensor over a Java direct buffer and drop the wrapper at once, so a
 * collection frees the buffer and the backward reads whatever was written there next. Here the collection is
 * forced, and the freed small buffers are then reused with NaN, between the forward and the backward of the real
 * tinystories model with LoRA on every projection (RMSNorm's exponent, LoRA's scaling) and with a scaled bottleneck
 * adapter.
 */
class GcDuringStepTest {

    private static List<float[]> gradients(LlamaModel model, List<NamedParameter> params, int[] ids, boolean collectInBetween)
            throws InterruptedException {
        try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDManager m = model.manager();
            NDArray input = m.create(toLong(ids), new Shape(1, ids.length));
            NDArray loss = model.forward(input, model.context(positions(m, ids.length),
                    dev.finetune.engine.model.AttentionMask.causal(m, 1, ids.length), null)).square().mean();
            if (collectInBetween) {
                List<ByteBuffer> poison = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    System.gc();
                    Thread.sleep(50);
                    // freed direct buffers go back to malloc; small ones filled with NaN take their places
                    for (int i = 0; i < 20_000; i++) {
                        ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                        b.putFloat(0, Float.NaN);
                        poison.add(b);
                    }
                }
                assertThat(poison).isNotEmpty();
            }
            gc.backward(loss);
            List<float[]> out = new ArrayList<>();
            for (NamedParameter p : params) {
                out.add(p.value().getGradient().toFloatArray());
            }
            for (NamedParameter p : params) {
                EngineRuntime.zeroGradient(p.value());
            }
            return out;
        }
    }

    private static NDArray positions(NDManager m, int len) {
        long[] p = new long[len];
        for (int i = 0; i < len; i++) {
            p[i] = i;
        }
        return m.create(p, new Shape(1, len));
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static final int[] IDS = {1, 403, 2917, 29892, 612, 338, 263, 1243, 310, 278, 5197, 2215, 1058};

    private static void assertSameGradients(LlamaModel model, List<NamedParameter> params) throws Exception {
        for (NamedParameter p : params) {
            Fixtures.randomize(p.value(), p.name().hashCode(), 0.05f);
        }
        int[] ids = IDS.clone();
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ids[i] % model.config().vocabSize();
        }
        List<float[]> quiet = gradients(model, params, ids, false);
        List<float[]> collected = gradients(model, params, ids, true);
        for (int i = 0; i < quiet.size(); i++) {
            for (float g : collected.get(i)) {
                assertThat(Float.isFinite(g)).as("gradient of %s finite", params.get(i).name()).isTrue();
            }
            assertThat(collected.get(i)).as("gradient of %s", params.get(i).name()).isEqualTo(quiet.get(i));
        }
    }

    /** RMSNorm's eps and exponent, and LoRA's scaling. */
    @Test
    void aCollectionBetweenForwardAndBackwardChangesNoLoraGradient() throws Exception {
        try (NDManager manager = EngineRuntime.newManager("cpu");
             LlamaModel model = Fixtures.tinystories(manager, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LoraConfig.of(4, 8, 0, List.of("all-linear")), 5)) {
            assertSameGradients(model, lora.parameters());
        }
    }

    /** A bottleneck adapter whose output is scaled (scaling 0.5). */
    @Test
    void aCollectionBetweenForwardAndBackwardChangesNoBottleneckGradient() throws Exception {
        BottleneckConfig houlsby = BottleneckConfig.houlsby();
        BottleneckConfig scaled = new BottleneckConfig(houlsby.kind(), houlsby.reductionFactor(),
                houlsby.nonLinearity(), 0.5, houlsby.name());
        try (NDManager manager = EngineRuntime.newManager("cpu");
             LlamaModel model = Fixtures.tinystories(manager, ModelOptions.dense());
             BottleneckAdapter adapter = BottleneckAdapter.attach(model, scaled, 5)) {
            assertSameGradients(model, adapter.parameters());
        }
    }
}
