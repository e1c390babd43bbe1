package dev.finetune.engine.recipe;

import java.util.Locale;

/** The parameter-efficient methods a fine-tune can use, named as the platform names them. */
public enum FineTuneMethod {
    /** LoRA on a float32 (float16 compute on GPU) frozen base. */
    LORA,
    /** LoRA on a base whose linear layers are held as 4-bit NF4 codes. */
    QLORA,
    /** Bottleneck adapters (Pfeiffer or Houlsby) in every decoder layer. */
    ADAPTER;

    /** {@code lora}, {@code qlora} or {@code adapter} (any case). */
    public static FineTuneMethod parse(String value) {
        if (value != null) {
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "lora":
                    return LORA;
                case "qlora":
                    return QLORA;
                case "adapter":
                    return ADAPTER;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("method must be one of lora, qlora, adapter, got '" + value + "'");
    }

    /** Whether the trained artifact is a LoRA adapter (and can be merged into the base weights). */
    public boolean isLora() {
        return this != ADAPTER;
    }

    /** The lower-case name used on the command line and in reports. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
