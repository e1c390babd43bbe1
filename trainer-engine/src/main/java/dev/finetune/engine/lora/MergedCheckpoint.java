package dev.finetune.engine.lora;

import ai.djl.ndarray.NDArray;
import dev.finetune.engine.checkpoint.HfCheckpointWriter;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.model.DecoderLayer;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.Linear;
import dev.finetune.engine.model.Projection;
import dev.finetune.engine.runtime.EngineRuntime;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes base + LoRA as one full checkpoint in Hugging Face layout ({@code config.json},
 * {@code model.safetensors}, tokenizer files). Each adapted weight is {@code W + scaling * B A}
 * computed in float32 from the full-precision (for QLoRA: dequantized) base weight, so the merged
 * model's logits equal base + adapter unmerged.
 */
public final class MergedCheckpoint {

    private MergedCheckpoint() {}

    public static void write(Path outDir, LlamaModel model, Path tokenizerSourceDir) {
        Map<String, HostTensor> tensors = EngineRuntime.noGrad(() -> collect(model));
        // a LoRA on a tied head gives the head its own weight: the merged model must not tie it back
        boolean headDiverged = model.tiedHead() && model.lmHead().linear() instanceof LoraLinear;
        HfCheckpointWriter.write(outDir, headDiverged ? model.config().withTieWordEmbeddings(false) : model.config(),
                tensors, tokenizerSourceDir);
    }

    private static Map<String, HostTensor> collect(LlamaModel model) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", host(model.embeddingWeight()));
        for (DecoderLayer layer : model.layers()) {
            String prefix = "model.layers." + layer.index() + ".";
            out.put(prefix + "input_layernorm.weight", host(layer.inputNorm().weight()));
            out.put(prefix + "post_attention_layernorm.weight", host(layer.postAttentionNorm().weight()));
            for (Projection p : layer.projections()) {
                putLinear(out, p);
            }
        }
        out.put("model.norm.weight", host(model.finalNorm().weight()));
        if (!model.tiedHead() || model.lmHead().linear() instanceof LoraLinear) {
            putLinear(out, model.lmHead());
        }
        return out;
    }

    private static void putLinear(Map<String, HostTensor> out, Projection p) {
        Linear linear = p.linear();
        NDArray weight = linear instanceof LoraLinear lora ? lora.mergedWeight() : linear.denseWeight();
        out.put(p.path() + ".weight", host(weight));
        if (linear.bias() != null) {
            out.put(p.path() + ".bias", host(linear.bias()));
        }
    }

    private static HostTensor host(NDArray a) {
        // a QLoRA model's embedding may be held in 16 bits: widening is exact
        if (a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
            return new HostTensor(a.getShape().getShape(), a.toFloatArray());
        }
        try (NDArray wide = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)) {
            return new HostTensor(a.getShape().getShape(), wide.toFloatArray());
        }
    }
}
