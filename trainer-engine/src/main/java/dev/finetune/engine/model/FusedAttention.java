package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.finetune.engine.runtime.EngineRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * libtorch's fused scaled-dot-product attention, reached through a TorchScript module: DJL 0.36 binds no
 * {@code scaled_dot_product_attention}, but it runs TorchScript, and a module's forward is recorded by autograd like
 * any op. The module ({@code fused_attention.pt}, written by {@code trainer-engine/scripts/make_fused_attention.py},
 * about 2 KB, no weights) repeats each KV head for its query heads and makes one call of
 * {@code F.scaled_dot_product_attention(q, k, v, attn_mask=mask)}. On the CPU that is the flash-attention kernel:
 * scale, mask, softmax and both matmuls in one pass over blocks of keys, no {@code T x S} scores kept for the
 * backward. (With {@code enable_gqa=True} instead of the repeat, libtorch 2.7 takes its unfused path: 1.3x slower.)
 *
 * <p>One difference from the textbook form: a row whose keys are all masked (a padding position) gets wrong
 * gradients from the kernel's backward (its log-sum-exp is lost in the mask's magnitude). Such a row never carries
 * any: it has no label and no other position may attend to it, so its upstream gradient is exactly zero, and a
 * zero upstream gives zero gradients here as there.
 *
 * <p>Loaded once per process, on first use, into a manager that lives as long as the process. It holds no tensors,
 * so it runs on whatever device its inputs are on.
 */
public final class FusedAttention {

    private static final String RESOURCE = "fused_attention.pt";

    private FusedAttention() {}

    /**
     * The attention core: {@code softmax(q k^T / sqrt(D) + mask) v}.
     *
     * @param query {@code [B, H, T, D]}
     * @param key   {@code [B, KV, S, D]}, {@code H} a multiple of {@code KV}
     * @param value {@code [B, KV, S, D]}
     * @param mask  additive {@code [B, 1, T, S]}
     * @return the context {@code [B, T, H, D]}
     */
    public static NDArray attend(NDArray query, NDArray key, NDArray value, NDArray mask) {
        NDArray context = IValueUtils.forward(Module.BLOCK, new NDList(query, key, value, mask), true)
                .singletonOrThrow();
        return context.transpose(0, 2, 1, 3);
    }

    /** Holder: the module is read the first time attention runs, not when the class is merely referenced. */
    private static final class Module {
        static final PtSymbolBlock BLOCK = load();

        private static PtSymbolBlock load() {
            NDManager manager = EngineRuntime.newManager("cpu");
            try (InputStream in = FusedAttention.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the engine's jar");
                }
                return JniUtils.loadModule((PtNDManager) manager, in, false, false);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + RESOURCE, e);
            }
        }
    }
}
