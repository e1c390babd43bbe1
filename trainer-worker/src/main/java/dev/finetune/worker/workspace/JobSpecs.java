package dev.finetune.worker.workspace;

import java.nio.file.Path;

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
import dev.finetune.settings.InvalidSettingException;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.MethodSettings;
import dev.finetune.settings.ModelShape;
import dev.finetune.settings.TrainingSettings;
import dev.finetune.worker.batch.JobRejectedException;

/**
 * A job row to the engine's {@link FineTuneSpec}, and the checks that need the base model's
 * config.json (done before the weights are even downloaded). Every rejection names the
 * hyperparameter by its API name.
 */
public final class JobSpecs {

    static final String INVALID_HYPERPARAMETER = "invalid_hyperparameter";

    private JobSpecs() {
    }

    /**
     * Rejects settings the model cannot take (the API checked them against the base model's
     * config at submit; a model whose config changed since, or a job queued without the API,
     * is caught here), e.g. a LoRA rank above the smallest targeted layer's width.
     */
    static void checkAgainstModel(FineTuningJob job, LlamaConfig model) {
        ModelShape shape = new ModelShape(model.hiddenSize(), model.numAttentionHeads(), model.numKeyValueHeads(),
                model.headDim(), model.intermediateSize(), model.vocabSize());
        try {
            shape.check(job.hyperparameters().methodSettings(job.method()));
        } catch (InvalidSettingException e) {
            throw new JobRejectedException(INVALID_HYPERPARAMETER, e.getMessage(), e.field());
        }
    }

    /**
     * The engine's spec for a job: the job's shared settings passed through as they are (the
     * method, the training settings, the method's own settings), plus the job's seed. Engine-side
     * validation errors ({@link IllegalArgumentException}) become a rejection with the engine's
     * message, which names the field.
     */
    static FineTuneSpec spec(FineTuningJob job, String baseModelName, Path modelDir, Path dataFile,
            DatasetSpec dataset, String device, double evalFraction) {
        return spec(job, baseModelName, modelDir, dataFile, dataset, null, null, device, evalFraction);
    }

    /**
     * {@link #spec(FineTuningJob, String, Path, Path, DatasetSpec, String, double)} with the job's
     * validation file as the eval set when {@code evalFile} is not null ({@code evalFraction} then
     * does not apply).
     */
    static FineTuneSpec spec(FineTuningJob job, String baseModelName, Path modelDir, Path dataFile,
            DatasetSpec dataset, Path evalFile, DatasetSpec evalDataset, String device, double evalFraction) {
        Hyperparameters h = job.hyperparameters();
        try {
            FineTuningMethod method = job.method();
            TrainingSettings settings = h.training();
            FineTuneSpec.Builder spec = FineTuneSpec.builder(modelDir, dataFile, method)
                    .dataset(dataset)
                    .training(TrainingConfig.builder(settings).seed(job.seed()).build())
                    .settings(settings)
                    .evalFraction(evalFraction)
                    .evalFile(evalFile, evalDataset)
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
