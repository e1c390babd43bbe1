package dev.finetune.engine.recipe;

import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.EncoderOptions;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.method.AdapterMethods;
import dev.finetune.engine.peft.MethodConfig;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.InvalidSettingException;
import dev.finetune.settings.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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
 * @param bottleneck adapter settings for adapter; null means {@link BottleneckSettings#DEFAULTS}
 * @param training optimizer, schedule, steps, seed, eval cadence; null means {@link TrainingConfig#defaults()}
 * @param encoder tokenization; null means the settings' defaults and addEos true. maxSeqLen
 *     is capped at the model's max_position_embeddings when the data is prepared
 * @param packing pack several examples into each row (block-diagonal attention) instead of one per row
 * @param evalFraction share of encoded examples held out of {@code dataFile} for evaluation, in [0, 1); 0
 *     disables eval. Which examples is a function of the data file's sha256 and this share only (not of
 *     the seed), so every run on the same file evaluates on the same examples. Not used with {@code evalFile}
 * @param evalFile a separate evaluation file (the platform's {@code validation_file}); when set, every one
 *     of its examples is the eval set and the whole {@code dataFile} is trained on; null holds out
 *     {@code evalFraction} of {@code dataFile} instead
 * @param evalDataset format and field mapping of {@code evalFile}; null detects it
 * @param device {@code cpu} or {@code cuda} / {@code cuda:N}; null means cpu
 * @param baseModelName written as {@code base_model_name_or_path}; null or blank means the model directory's name
 */
public record FineTuneSpec(Path modelDir, Path dataFile, DatasetSpec dataset, FineTuningMethod method, LoraConfig lora,
                           BottleneckConfig bottleneck, TrainingConfig training, EncoderOptions encoder, boolean packing,
                           double evalFraction, Path evalFile, DatasetSpec evalDataset, String device,
                           String baseModelName) {

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
            throw new InvalidSettingException("use_dora", "applies to methods lora and qlora only, not "
                    + method.wireName() + " (DoRA rescales a LoRA update; a bottleneck adapter has none)");
        }
        bottleneck = bottleneck == null ? BottleneckConfig.from(BottleneckSettings.DEFAULTS) : bottleneck;
        training = training == null ? TrainingConfig.defaults() : training;
        encoder = encoder == null ? encoderFor(TrainingSettings.DEFAULTS) : encoder;
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("evalFraction must be in [0, 1) (0 disables evaluation), got " + evalFraction);
        }
        evalDataset = evalDataset == null ? DatasetSpec.auto() : evalDataset;
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
    public static Builder builder(Path modelDir, Path dataFile, FineTuningMethod method) {
        return new Builder(modelDir, dataFile, method);
    }

    /** How the settings' sequence length and loss mask tokenize: EOS after every answer so the adapter learns to stop. */
    static EncoderOptions encoderFor(TrainingSettings s) {
        return new EncoderOptions(s.maxSeqLength(), s.trainOnInputs(), true);
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
        if (evalFile != null && !Files.isRegularFile(evalFile)) {
            throw new IllegalArgumentException("evalFile " + evalFile + " does not exist or is not a file");
        }
    }

    /** The settings of this spec's method: {@link #lora} or {@link #bottleneck}, whichever its adapter method takes. */
    public MethodConfig methodConfig() {
        Class<? extends MethodConfig> type = AdapterMethods.of(method).method().configType();
        return Stream.of(lora, bottleneck).filter(type::isInstance).findFirst()
                .orElseThrow(() -> new IllegalStateException("the spec has no " + type.getSimpleName()));
    }

    /** Whether the model runs on a GPU (then the frozen matmuls use float16). */
    public boolean onGpu() {
        return device.startsWith("cuda");
    }

    /** Fluent construction; unset values take the record's defaults. */
    public static final class Builder {
        private final Path modelDir;
        private final Path dataFile;
        private final FineTuningMethod method;
        private DatasetSpec dataset;
        private LoraConfig lora;
        private BottleneckConfig bottleneck;
        private TrainingConfig training;
        private EncoderOptions encoder;
        private boolean packing;
        private double evalFraction = DEFAULT_EVAL_FRACTION;
        private Path evalFile;
        private DatasetSpec evalDataset;
        private String device;
        private String baseModelName;

        private Builder(Path modelDir, Path dataFile, FineTuningMethod method) {
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

        /**
         * The tokenization and packing of the shared settings (their sequence length, train-on-inputs
         * and packing); the training loop's part of them comes with {@link #training}.
         */
        public Builder settings(TrainingSettings value) {
            this.encoder = encoderFor(value);
            this.packing = value.packing();
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

        /** Evaluates on every example of {@code file} (read as {@code format}; null detects it) instead of a held-out share. */
        public Builder evalFile(Path file, DatasetSpec format) {
            this.evalFile = file;
            this.evalDataset = format;
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
                    evalFraction, evalFile, evalDataset, device, baseModelName);
        }
    }
}
