package dev.finetune.worker.workspace;

import dev.finetune.worker.batch.JobRejectedException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.EncoderOptions;
import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.recipe.FineTuneSpec;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.MethodSettings;
import dev.finetune.settings.TrainingSettings;

/**
 * A job row to the engine's {@link FineTuneSpec}, and the checks that need the base model's
 * config.json (done before the weights are even downloaded). Every rejection names the
 * hyperparameter by its API name.
 */
public final class JobSpecs {

    static final String INVALID_HYPERPARAMETER = "invalid_hyperparameter";

    private JobSpecs() {
    }

    /** Rejects settings the model cannot take, e.g. a LoRA rank above the smallest targeted layer's width. */
    static void checkAgainstModel(FineTuningJob job, LlamaConfig model) {
        Hyperparameters h = job.hyperparameters();
        if (job.method() == FineTuningMethod.ADAPTER) {
            if (h.adapterReductionFactor() > model.hiddenSize()) {
                throw new JobRejectedException(INVALID_HYPERPARAMETER, "adapter_reduction_factor "
                        + h.adapterReductionFactor() + " is larger than the model's hidden_size " + model.hiddenSize()
                        + ": the bottleneck would be empty. Use 16 (the default) or less", "adapter_reduction_factor");
            }
            return;
        }
        Map<String, Integer> widths = layerWidths(model);
        List<String> targets = h.targetModules().allLinear()
                ? widths.keySet().stream().filter(n -> !n.equals("lm_head")).toList()
                : h.targetModules().names().stream().filter(widths::containsKey).toList();
        int limit = targets.stream().mapToInt(widths::get).min().orElse(Integer.MAX_VALUE);
        if (h.loraR() > limit) {
            throw new JobRejectedException(INVALID_HYPERPARAMETER, "lora_r " + h.loraR() + " is larger than "
                    + limit + ", the smallest width of the targeted layers " + targets + " of this model (hidden_size "
                    + model.hiddenSize() + "): a rank above a layer's width adds parameters but no capacity. Use "
                    + "lora_r <= " + limit + " (8 to 64 is typical)", "lora_r");
        }
    }

    /** min(in, out) of each projection of a decoder layer, and of the output head. */
    private static Map<String, Integer> layerWidths(LlamaConfig c) {
        int q = c.numAttentionHeads() * c.headDim();
        int kv = c.numKeyValueHeads() * c.headDim();
        Map<String, Integer> w = new LinkedHashMap<>();
        w.put("q_proj", Math.min(c.hiddenSize(), q));
        w.put("k_proj", Math.min(c.hiddenSize(), kv));
        w.put("v_proj", Math.min(c.hiddenSize(), kv));
        w.put("o_proj", Math.min(c.hiddenSize(), q));
        w.put("gate_proj", Math.min(c.hiddenSize(), c.intermediateSize()));
        w.put("up_proj", Math.min(c.hiddenSize(), c.intermediateSize()));
        w.put("down_proj", Math.min(c.hiddenSize(), c.intermediateSize()));
        w.put("lm_head", Math.min(c.hiddenSize(), c.vocabSize()));
        return w;
    }

    /**
     * The engine's spec for a job: the job's shared settings passed through as they are (the
     * method, the training settings, the method's own settings), plus the job's seed. Engine-side
     * validation errors ({@link IllegalArgumentException}) become a rejection with the engine's
     * message, which names the field.
     */
    static FineTuneSpec spec(FineTuningJob job, String baseModelName, Path modelDir, Path dataFile,
            DatasetSpec dataset, String device, double evalFraction) {
        Hyperparameters h = job.hyperparameters();
        try {
            FineTuningMethod method = job.method();
            TrainingSettings settings = h.training();
            FineTuneSpec.Builder spec = FineTuneSpec.builder(modelDir, dataFile, method)
                    .dataset(dataset)
                    .training(TrainingConfig.builder(settings).seed(job.seed()).build())
                    .settings(settings)
                    .evalFraction(evalFraction)
                    .device(device)
                    .baseModelName(baseModelName);
            MethodSettings own = h.methodSettings(method);
            if (own instanceof LoraSettings lora) {
                spec.lora(LoraConfig.from(lora));
            } else if (own instanceof BottleneckSettings bottleneck) {
                spec.bottleneck(BottleneckConfig.from(bottleneck));
            }
            return spec.build();
        } catch (IllegalArgumentException e) {
            throw new JobRejectedException(INVALID_HYPERPARAMETER, e.getMessage(), null);
        }
    }
}
