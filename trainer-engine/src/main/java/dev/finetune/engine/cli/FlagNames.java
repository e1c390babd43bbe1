package dev.finetune.engine.cli;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a command's flag names into the messages of the settings it builds. The engine's records
 * validate themselves and name the bad field as the platform's API and Java code know it
 * ({@code learning_rate}, {@code n_epochs}, {@code dataFile}); on the command line the person typed
 * {@code --learning-rate}, {@code --epochs}, {@code --data}, so that is what the error must say.
 *
 * <p>Identifiers (a {@code snake_case} or {@code camelCase} word) are replaced wherever they stand as
 * a whole word, outside paths, dotted names and quoted values. Plain words that are also field names
 * ({@code method}, {@code device}, LoRA's {@code r}) are replaced only as the subject the message
 * starts with, so English elsewhere in a message stays English.
 *
 * @param identifiers field identifiers to flags, e.g. {@code gradient_accumulation_steps -> --grad-accum}
 * @param subjects plain words or phrases to flags, replaced only at the start of a message
 */
record FlagNames(Map<String, String> identifiers, Map<String, String> subjects) {

    /**
     * What {@code train} builds: the shared {@code TrainingSettings}, {@code LoraSettings} and
     * {@code BottleneckSettings} (their fields named as the API names them), {@code FineTuneSpec},
     * {@code TrainingConfig}, {@code LoraConfig}, {@code BottleneckConfig}, {@code EncoderOptions}.
     */
    static final FlagNames TRAIN = new FlagNames(Map.ofEntries(
            Map.entry("modelDir", "--model"),
            Map.entry("dataFile", "--data"),
            Map.entry("evalFraction", "--eval-fraction"),
            Map.entry("maxSeqLen", "--max-seq-len"),
            Map.entry("max_seq_len", "--max-seq-len"),
            Map.entry("max_seq_length", "--max-seq-len"),
            Map.entry("learning_rate", "--learning-rate"),
            Map.entry("weight_decay", "--weight-decay"),
            Map.entry("lr_scheduler", "--lr-scheduler"),
            Map.entry("warmup_ratio", "--warmup-ratio"),
            Map.entry("batch_size", "--batch-size"),
            Map.entry("gradient_accumulation_steps", "--grad-accum"),
            Map.entry("max_grad_norm", "--max-grad-norm"),
            Map.entry("max_steps", "--max-steps"),
            Map.entry("n_epochs", "--epochs"),
            Map.entry("eval_every_steps", "--eval-every"),
            Map.entry("early_stopping_patience", "--early-stopping-patience"),
            Map.entry("log_every", "--log-every"),
            Map.entry("lora_r", "--lora-r"),
            Map.entry("lora_alpha", "--lora-alpha"),
            Map.entry("lora_dropout", "--lora-dropout"),
            Map.entry("target_modules", "--target-modules"),
            Map.entry("use_dora", "--use-dora"),
            Map.entry("adapter_reduction_factor", "--reduction-factor"),
            Map.entry("reduction_factor", "--reduction-factor"),
            Map.entry("adapter_kind", "--adapter-kind")),
            Map.of("method", "--method", "device", "--device"));

    /** What {@code generate} builds: {@code SamplingOptions}. */
    static final FlagNames GENERATE = new FlagNames(Map.of("max_new_tokens", "--max-new-tokens", "top_p", "--top-p"),
            Map.of("temperature", "--temperature"));

    /** {@code validate} checks its flags itself and builds only a {@code DatasetSpec} from values it has clamped. */
    static final FlagNames VALIDATE = new FlagNames(Map.of(), Map.of());

    /** A word: not inside a path, a dotted name, a flag or a quoted value. */
    private static final String OUTSIDE_WORD = "[\\w'./\\\\-]";

    /** The message with every field this command's flags set named by its flag. */
    String inFlagTerms(String message) {
        if (message == null) {
            return null;
        }
        String out = message;
        for (Map.Entry<String, String> subject : subjects.entrySet()) {
            if (out.startsWith(subject.getKey() + " ")) {
                out = subject.getValue() + out.substring(subject.getKey().length());
                break;
            }
        }
        for (Map.Entry<String, String> id : identifiers.entrySet()) {
            Pattern word = Pattern.compile("(?<!" + OUTSIDE_WORD + ")" + Pattern.quote(id.getKey()) + "(?!" + OUTSIDE_WORD + ")");
            out = word.matcher(out).replaceAll(Matcher.quoteReplacement(id.getValue()));
        }
        return out;
    }
}
