package dev.finetune.engine.peft;

import java.nio.file.Files;
import java.nio.file.Path;

/** Tells the two adapter directory layouts apart by their weight file. */
public enum AdapterFormat {
    /** Hugging Face PEFT LoRA: {@code adapter_model.safetensors}. */
    PEFT_LORA,
    /** AdapterHub bottleneck adapter: {@code adapter.safetensors}. */
    ADAPTERHUB_BOTTLENECK;

    public static AdapterFormat detect(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new AdapterLoadException("adapter directory " + dir + " does not exist");
        }
        if (Files.exists(dir.resolve("adapter_model.safetensors"))) {
            return PEFT_LORA;
        }
        if (Files.exists(dir.resolve("adapter.safetensors"))) {
            return ADAPTERHUB_BOTTLENECK;
        }
        if (Files.exists(dir.resolve("adapter_model.bin"))) {
            throw new AdapterLoadException(dir + " holds adapter_model.bin (pickle); only safetensors adapters are "
                    + "loaded, since pickle files can execute code. Re-save it with safe_serialization=True");
        }
        throw new AdapterLoadException(dir + " has neither adapter_model.safetensors (PEFT) nor adapter.safetensors "
                + "(AdapterHub)");
    }
}
