package dev.finetune.engine.recipe;

import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.EncoderOptions;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.train.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything one fine-tune needs, from files to hyperparameters. The CLI builds it from flags and
 * the platform's worker from a job row; {@link FineTuneSession#open} runs it.
 *
 * <p>The constructor fills defaults and checks values, throwing {@link IllegalArgumentException}
 * naming the field; {@link #checkFiles()} checks that the model directory and dataset exist (done
 * by {@link DataPreparation} and {@link FineTuneSession} before any work).
 *
 * @param modelDir Hugging Face checkpoint directory (config.json, safetensors, tokenizer.json)
 * @param dataFile dataset file (.jsonl, .json array or .txt)
 * @param dataset format and field mapping; null detects the format with the standard keys
 * @param method lora, qlora or adapter
 * @param lora LoRA settings for lora/qlora; null means {@link LoraConfig#defaults()}
 * @param bottleneck adapter settings for adapter; null means {@link BottleneckConfig#pfeiffer()}
 * @param training optimizer, schedule, steps, seed, eval cadence; null means {@link TrainingConfig#defaults()}
 * @param encoder tokenization; null means maxSeqLen 512, trainOnInputs false, addEos true. maxSeqLen
 *     is capped at the model's max_position_embeddings when the data is prepared
 * @param packing pack several examples into each row (block-diagonal attention) instead of one per row
 * @param evalFraction share of encoded examples held out for evaluation, in [0, 1); 0 disables eval
 * @param device {@code cpu} or {@code cuda} / {@code cuda:N}; null means cpu
 * @param baseModelName written as {@code base_model_name_or_path}; null or blank means the model directory's name
 */
public record FineTuneSpec(Path modelDir, Path dataFile, DatasetSpec dataset, FineTuneMethod method, LoraConfig lora,
                           BottleneckConfig bottleneck, TrainingConfig training, EncoderOptions encoder, boolean packing,
                           double evalFraction, String device, String baseModelName) {

    /** The sequence length used when none is given. */
    public static final int DEFAULT_MAX_SEQ_LEN = 512;
    /** The eval share used when none is given. */
    public static final double DEFAULT_EVAL_FRACTION = 0.1;

    public FineTuneSpec {
        if (modelDir == null) {
            throw new IllegalArgumentException("modelDir is required (a Hugging Face checkpoint directory)");
        }
        if (dataFile == null) {
            throw new IllegalArgumentException("dataFile is required (a .jsonl, .json or .txt dataset)");
        }
        if (method == null) {
            throw new IllegalArgumentException("method is required: lora, qlora or adapter");
        }
        dataset = dataset == null ? DatasetSpec.auto() : dataset;
        lora = lora == null ? LoraConfig.defaults() : lora;
        if (lora.useDora() && !method.isLora()) {
            throw new IllegalArgumentException("use_dora applies to methods lora and qlora only, not " + method.id()
                    + " (DoRA rescales a LoRA update; a bottleneck adapter has none)");
        }
        bottleneck = bottleneck == null ? BottleneckConfig.pfeiffer() : bottleneck;
        training = training == null ? TrainingConfig.defaults() : training;
        encoder = encoder == null ? new EncoderOptions(DEFAULT_MAX_SEQ_LEN, false, true) : encoder;
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("evalFraction must be in [0, 1) (0 disables evaluation), got " + evalFraction);
        }
        device = device == null || device.isBlank() ? "cpu" : device.trim();
        if (!device.matches("cpu|cuda(:\\d+)?")) {
            throw new IllegalArgumentException("device must be cpu, cuda or cuda:N, got '" + device + "'");
        }
        if (baseModelName == null || baseModelName.isBlank()) {
            Path name = modelDir.toAbsolutePath().normalize().getFileName();
            baseModelName = name == null ? modelDir.toString() : name.toString();
        }
    }

    /** Starts a spec with defaults for everything but the three required values. */
    public static Builder builder(Path modelDir, Path dataFile, FineTuneMethod method) {
        return new Builder(modelDir, dataFile, method);
    }

    /** Throws {@link IllegalArgumentException} naming the field when the model or data files are missing. */
    public void checkFiles() {
        if (!Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException("modelDir " + modelDir + " is not a directory (expected a Hugging Face "
                    + "checkpoint with config.json, model.safetensors and tokenizer.json)");
        }
        if (!Files.isRegularFile(dataFile)) {
            throw new IllegalArgumentException("dataFile " + dataFile + " does not exist or is not a file");
        }
    }

    /** Whether the model runs on a GPU (then the frozen matmuls use float16). */
    public boolean onGpu() {
        return device.startsWith("cuda");
    }

    /** Fluent construction; unset values take the record's defaults. */
    public static final class Builder {
        private final Path modelDir;
        private final Path dataFile;
        private final FineTuneMethod method;
        private DatasetSpec dataset;
        private LoraConfig lora;
        private BottleneckConfig bottleneck;
        private TrainingConfig training;
        private EncoderOptions encoder;
        private boolean packing;
        private double evalFraction = DEFAULT_EVAL_FRACTION;
        private String device;
        private String baseModelName;

        private Builder(Path modelDir, Path dataFile, FineTuneMethod method) {
            this.modelDir = modelDir;
            this.dataFile = dataFile;
            this.method = method;
        }

        public Builder dataset(DatasetSpec value) {
            this.dataset = value;
            return this;
        }

        public Builder lora(LoraConfig value) {
            this.lora = value;
            return this;
        }

        public Builder bottleneck(BottleneckConfig value) {
            this.bottleneck = value;
            return this;
        }

        public Builder training(TrainingConfig value) {
            this.training = value;
            return this;
        }

        public Builder encoder(EncoderOptions value) {
            this.encoder = value;
            return this;
        }

        public Builder packing(boolean value) {
            this.packing = value;
            return this;
        }

        public Builder evalFraction(double value) {
            this.evalFraction = value;
            return this;
        }

        public Builder device(String value) {
            this.device = value;
            return this;
        }

        public Builder baseModelName(String value) {
            this.baseModelName = value;
            return this;
        }

        public FineTuneSpec build() {
            return new FineTuneSpec(modelDir, dataFile, dataset, method, lora, bottleneck, training, encoder, packing,
                    evalFraction, device, baseModelName);
        }
    }
}
