package dev.finetune.api.job;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.settings.AdapterKind;
import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.LrScheduler;
import dev.finetune.settings.TrainingSettings;

/**
 * The bounds each hyperparameter must keep, from the shared settings' constants (the same the
 * settings' constructors check): what {@code GET /api/v1/fine-tuning/hyperparameters/bounds}
 * serves, so a client (the dashboard) can say a value is out of range as it is typed, in the
 * API's own words, instead of after a submit. {@code HyperparameterBoundsTest} checks each bound
 * against the rules: the bound is accepted, one step beyond it refused.
 *
 * @param type {@code integer}, {@code number}, {@code boolean}, {@code string} or {@code modules}
 * @param minimum the smallest allowed value, inclusive
 * @param exclusiveMinimum values must be greater than this
 * @param maximum the largest allowed value, inclusive
 * @param exclusiveMaximum values must be less than this
 * @param nullable null (or omitted) is allowed and has a meaning (see the field's docs)
 * @param choices the allowed values of a {@code string} field
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record HyperparameterBounds(String type, Double minimum, @JsonProperty("exclusive_minimum") Double exclusiveMinimum,
        Double maximum, @JsonProperty("exclusive_maximum") Double exclusiveMaximum, Boolean nullable,
        List<String> choices) {

    static Map<String, HyperparameterBounds> all() {
        Map<String, HyperparameterBounds> m = new LinkedHashMap<>();
        m.put("n_epochs", integer(1, TrainingSettings.MAX_N_EPOCHS, false));
        m.put("max_steps", integer(1, TrainingSettings.MAX_STEPS_LIMIT, true));
        m.put("batch_size", integer(1, TrainingSettings.MAX_BATCH_SIZE, false));
        m.put("learning_rate", new HyperparameterBounds("number", null, 0.0, 1.0, null, null, null));
        m.put("lr_scheduler", choice(Arrays.stream(LrScheduler.values()).map(LrScheduler::wireName).toList()));
        m.put("warmup_ratio", fraction());
        m.put("weight_decay", new HyperparameterBounds("number", 0.0, null, null, null, null, null));
        m.put("max_grad_norm", new HyperparameterBounds("number", 0.0, null, null, null, null, null));
        m.put("gradient_accumulation_steps", integer(1, TrainingSettings.MAX_GRADIENT_ACCUMULATION_STEPS, false));
        m.put("max_seq_length", integer(TrainingSettings.MIN_SEQ_LENGTH, TrainingSettings.MAX_SEQ_LENGTH_LIMIT, false));
        m.put("eval_every_steps", integer(1, null, true));
        m.put("early_stopping_patience", integer(1, null, true));
        m.put("train_on_inputs", plain("boolean"));
        m.put("packing", plain("boolean"));
        m.put("lora_r", integer(1, LoraSettings.MAX_R, false));
        m.put("lora_alpha", integer(1, null, false));
        m.put("lora_dropout", fraction());
        m.put("target_modules", plain("modules"));
        m.put("use_rslora", plain("boolean"));
        m.put("use_dora", plain("boolean"));
        m.put("adapter_reduction_factor", integer(1, BottleneckSettings.MAX_REDUCTION_FACTOR, false));
        m.put("adapter_kind", choice(Arrays.stream(AdapterKind.values()).map(AdapterKind::wireName).toList()));
        return m;
    }

    private static HyperparameterBounds integer(int min, Integer max, boolean nullable) {
        return new HyperparameterBounds("integer", (double) min, null, max == null ? null : (double) max, null,
                nullable ? true : null, null);
    }

    private static HyperparameterBounds fraction() {
        return new HyperparameterBounds("number", 0.0, null, null, 1.0, null, null);
    }

    private static HyperparameterBounds choice(List<String> choices) {
        return new HyperparameterBounds("string", null, null, null, null, null, choices);
    }

    private static HyperparameterBounds plain(String type) {
        return new HyperparameterBounds(type, null, null, null, null, null, null);
    }
}
