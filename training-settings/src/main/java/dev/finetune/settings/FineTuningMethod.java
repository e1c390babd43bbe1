package dev.finetune.settings;

/** How a fine-tune adapts the frozen base model. */
public enum FineTuningMethod implements WireNamed {
    /** LoRA on the full-precision (float16 compute on GPU) frozen base. */
    LORA("lora"),
    /** LoRA on a base whose linear layers are held as 4-bit NF4 codes. */
    QLORA("qlora"),
    /** Bottleneck adapters (Pfeiffer or Houlsby) in every decoder layer. */
    ADAPTER("adapter");

    /** LoRA is what PEFT, axolotl and the hosted APIs start with: small, mergeable, no inference latency. */
    public static final FineTuningMethod DEFAULT = LORA;

    private final String wireName;

    FineTuningMethod(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    public static FineTuningMethod fromWire(String wire) {
        return WireNamed.fromWire(FineTuningMethod.class, wire, "method");
    }

    /** Whether the trained artifact is a LoRA adapter (and can be merged into the base weights). */
    public boolean isLora() {
        return this != ADAPTER;
    }
}
