package dev.finetune.engine.cli;

import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.TargetModules;
import dev.finetune.settings.TrainingSettings;
import java.math.BigDecimal;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of {@code train}'s setting flags, taken from the shared settings so that the command
 * line trains with the platform's values ({@code --epochs} 3, like a job with no hyperparameters).
 * Flags that are not settings (paths, {@code --seed}, {@code --log-every}, ...) keep the default in
 * their annotation, which picocli prefers.
 */
final class SettingsDefaults implements IDefaultValueProvider {

    static final Map<String, String> TRAIN = Map.ofEntries(
            Map.entry("--method", FineTuningMethod.DEFAULT.wireName()),
            Map.entry("--epochs", text(TrainingSettings.DEFAULT_N_EPOCHS)),
            Map.entry("--learning-rate", text(TrainingSettings.DEFAULT_LEARNING_RATE)),
            Map.entry("--batch-size", text(TrainingSettings.DEFAULT_BATCH_SIZE)),
            Map.entry("--grad-accum", text(TrainingSettings.DEFAULT_GRADIENT_ACCUMULATION_STEPS)),
            Map.entry("--max-seq-len", text(TrainingSettings.DEFAULT_MAX_SEQ_LENGTH)),
            Map.entry("--lr-scheduler", TrainingSettings.DEFAULT_LR_SCHEDULER.wireName()),
            Map.entry("--warmup-ratio", text(TrainingSettings.DEFAULT_WARMUP_RATIO)),
            Map.entry("--weight-decay", text(TrainingSettings.DEFAULT_WEIGHT_DECAY)),
            Map.entry("--max-grad-norm", text(TrainingSettings.DEFAULT_MAX_GRAD_NORM)),
            Map.entry("--train-on-inputs", String.valueOf(TrainingSettings.DEFAULT_TRAIN_ON_INPUTS)),
            Map.entry("--packing", String.valueOf(TrainingSettings.DEFAULT_PACKING)),
            Map.entry("--lora-r", text(LoraSettings.DEFAULT_R)),
            Map.entry("--lora-alpha", text(LoraSettings.DEFAULT_ALPHA)),
            Map.entry("--lora-dropout", text(LoraSettings.DEFAULT_DROPOUT)),
            Map.entry("--target-modules", TargetModules.DEFAULT.toString()),
            Map.entry("--use-rslora", String.valueOf(LoraSettings.DEFAULT_USE_RSLORA)),
            Map.entry("--use-dora", String.valueOf(LoraSettings.DEFAULT_USE_DORA)),
            Map.entry("--adapter-kind", BottleneckSettings.DEFAULT_KIND.wireName()),
            Map.entry("--reduction-factor", text(BottleneckSettings.DEFAULT_REDUCTION_FACTOR)));

    @Override
    public String defaultValue(ArgSpec argument) {
        return argument instanceof OptionSpec option ? TRAIN.get(option.longestName()) : null;
    }

    private static String text(int value) {
        return String.valueOf(value);
    }

    /** 0.0002 rather than 2.0E-4 in --help. */
    private static String text(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
