package dev.finetune.worker.taskeval;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.worker.task-eval.*}: task metrics from generation at the end of training (off by default).
 *
 * @param maxExamples how many eval prompts to answer with the base model and with the adapter; 0 turns it off
 * @param maxNewTokens the longest answer generated (greedy)
 * @param extractor a regular expression whose first group is the answer to compare (e.g. GSM8K's
 *     {@code ####\s*(-?[\d,]*\.?\d+)}); empty scores no extracted match
 * @param lease how long a worker holds an on-demand evaluation it claimed (it is claimed again after)
 */
@Validated
@ConfigurationProperties("finetune.worker.task-eval")
public record TaskEvalProperties(
        @DefaultValue("0") @Min(0) @Max(10_000) int maxExamples,
        @DefaultValue("64") @Min(1) @Max(4096) int maxNewTokens,
        @DefaultValue("") String extractor,
        @DefaultValue("30m") java.time.Duration lease) {

    public boolean enabled() {
        return maxExamples > 0;
    }

    /** The extractor compiled; null when none is set. */
    public java.util.regex.Pattern extractorPattern() {
        try {
            return extractor == null || extractor.isBlank() ? null : java.util.regex.Pattern.compile(extractor);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("finetune.worker.task-eval.extractor is not a regular expression: "
                    + e.getMessage(), e);
        }
    }
}
