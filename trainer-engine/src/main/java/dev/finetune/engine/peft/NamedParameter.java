package dev.finetune.engine.peft;

import ai.djl.ndarray.NDArray;

/** A trainable tensor under the name it is saved with (e.g. PEFT's {@code ...q_proj.lora_A.weight}). */
public record NamedParameter(String name, NDArray value) {}
