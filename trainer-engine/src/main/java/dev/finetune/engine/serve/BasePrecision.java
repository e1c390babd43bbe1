package dev.finetune.engine.serve;

/** How the served base model holds its frozen projections. */
public enum BasePrecision {
    /** float32 weights as the checkpoint has them (float16 compute on a GPU), as LoRA and adapters train. */
    DENSE,
    /** 4-bit NF4 codes with double quantization, exactly as QLoRA trains the frozen base. */
    NF4
}
