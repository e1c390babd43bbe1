package dev.finetune.worker.batch;

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
import dev.finetune.engine.recipe.FineTuneMethod;
import dev.finetune.engine.recipe.FineTuneSpec;
import dev.finetune.engine.train.LrScheduleType;
import dev.finetune.engine.train.TrainingConfig;

/**
 * A job row to the engine's {@link FineTuneSpec}, and the checks that need the base model's
 * config.json (done before the weights are even downloaded). Every rejection names the
 * hyperparameter by its API name.
 */
final class JobSpecs {

    static final String INVALID_HYPERPARAMETER = "invalid_hyperparameter";

    private JobSpecs() {
    }

    /** Rejects settings the model cannot take, e.g. a LoRA rank above the smallest targeted layer's width. */
    static void checkAgainstModel(FineTuningJob job, LlamaConfig model) {
        Hyperparameters h = job.hyperparameters();
        if (job.method() == dev.finetune.core.job.FineTuningMethod.ADAPTER) {
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
     * The engine's spec for a job. Engine-side validation errors ({@link IllegalArgumentException})
     * become a rejection with the engine's message, which names the field.
     */
    static FineTuneSpec spec(FineTuningJob job, String baseModelName, Path modelDir, Path dataFile,
            DatasetSpec dataset, String device, double evalFraction) {
        Hyperparameters h = job.hyperparameters();
        try {
            FineTuneMethod method = FineTuneMethod.parse(job.method().wireName());
            return FineTuneSpec.builder(modelDir, dataFile, method)
                    .dataset(dataset)
                    .lora(method.isLora() ? lora(h) : null)
                    .bottleneck(method.isLora() ? null : bottleneck(h))
                    .training(training(h, job.seed()))
                    // EOS after every answer so the adapter learns to stop
                    .encoder(new EncoderOptions(h.maxSeqLength(), h.trainOnInputs(), true))
                    .packing(h.packing())
                    .evalFraction(evalFraction)
                    .device(device)
                    .baseModelName(baseModelName)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new JobRejectedException(INVALID_HYPERPARAMETER, e.getMessage(), null);
        }
    }

    private static TrainingConfig training(Hyperparameters h, long seed) {
        LrScheduleType schedule = LrScheduleType.valueOf(h.lrScheduler().name());
        TrainingConfig d = TrainingConfig.defaults();
        return new TrainingConfig(h.learningRate(), h.weightDecay(), d.beta1(), d.beta2(), d.adamEpsilon(), schedule,
                h.warmupRatio(), 0, h.batchSize(), h.gradientAccumulationSteps(), h.maxGradNorm(), h.nEpochs(),
                h.maxSteps() == null ? 0 : h.maxSteps(), seed,
                // no eval cadence: evaluate once, at the end
                h.evalEverySteps() == null ? 0 : h.evalEverySteps(),
                h.earlyStoppingPatience() == null ? 0 : h.earlyStoppingPatience(), d.earlyStoppingMinDelta(),
                d.logEvery(), d.blockRecompute());
    }

    private static LoraConfig lora(Hyperparameters h) {
        List<String> targets = h.targetModules().allLinear() ? List.of(LoraConfig.ALL_LINEAR) : h.targetModules().names();
        return LoraConfig.of(h.loraR(), h.loraAlpha(), h.loraDropout(), targets).withRslora(h.useRslora()).withDora(h.useDora());
    }

    private static BottleneckConfig bottleneck(Hyperparameters h) {
        BottleneckConfig kind = switch (h.adapterKind()) {
            case PFEIFFER -> BottleneckConfig.pfeiffer();
            case HOULSBY -> BottleneckConfig.houlsby();
        };
        return kind.withReductionFactor(h.adapterReductionFactor());
    }

    /** The engine's reading of a stored dataset format. */
    static DatasetSpec datasetSpec(dev.finetune.core.dataset.DatasetFormat format) {
        // the stored formats carry the same names as the ones the reader validates
        return DatasetSpec.of(dev.finetune.data.DatasetFormat.valueOf(format.name()));
    }
}
