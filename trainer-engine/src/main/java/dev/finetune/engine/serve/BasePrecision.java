package dev.finetune.engine.serve;

/** How the served base model holds its frozen projections. */
public enum BasePrecision {
    /** float32 weights as the checkpoint has them (float16 compute on a GPU), as LoRA and adapters train. */
    DENSE,
    /** 4-bit NF4 codes with double quantization, exactly as QLoRA trains the frozen base. */
    NF4;

    /**
     * The precision an adapter was trained on, from the {@code training_summary.json} this engine writes next to
     * it: NF4 for a QLoRA adapter (serve it there and its answers equal its evaluation), dense otherwise.
     */
    public static BasePrecision trainedFor(java.nio.file.Path adapterDir) {
        return dev.finetune.engine.recipe.AdapterInference.trainedBaseWeights(adapterDir).weights().name().equals("nf4")
                ? NF4 : DENSE;
    }
}
