package dev.finetune.engine.lora;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.peft.AdapterJson;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.peft.AdapterMethod;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.peft.MethodConfig;
import dev.finetune.engine.peft.TrainableAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * LoRA (plain or DoRA, on any base-weight storage: QLoRA is LoRA on an NF4 base) in Hugging Face
 * PEFT's layout: {@code adapter_config.json} with {@code peft_type: LORA} and
 * {@code adapter_model.safetensors}. Its updates fold into the base weights exactly.
 */
public final class LoraMethod implements AdapterMethod {

    public static final LoraMethod INSTANCE = new LoraMethod();

    private LoraMethod() {}

    @Override
    public String name() {
        return "lora";
    }

    @Override
    public String layout() {
        return "PEFT LoRA";
    }

    @Override
    public String expectedFiles() {
        return PeftAdapterFiles.CONFIG + " with peft_type LORA and " + PeftAdapterFiles.WEIGHTS;
    }

    @Override
    public Class<LoraConfig> configType() {
        return LoraConfig.class;
    }

    @Override
    public LoraAdapter attach(LlamaModel model, MethodConfig config, long seed) {
        if (!(config instanceof LoraConfig lora)) {
            throw new IllegalArgumentException("the lora method needs a LoraConfig, got "
                    + (config == null ? "none" : config.getClass().getSimpleName()));
        }
        return LoraAdapter.attach(model, lora, seed);
    }

    /** PEFT's weights file, and a config that says LORA (PEFT's readers default a missing peft_type to it too). */
    @Override
    public boolean recognizes(Path dir) {
        if (!Files.exists(dir.resolve(PeftAdapterFiles.WEIGHTS))) {
            if (Files.exists(dir.resolve("adapter_model.bin"))) {
                throw new AdapterLoadException(dir + " holds adapter_model.bin (pickle); only safetensors adapters are "
                        + "loaded, since pickle files can execute code. Re-save it with safe_serialization=True");
            }
            return false;
        }
        Path config = dir.resolve(PeftAdapterFiles.CONFIG);
        if (!Files.exists(config)) {
            return true; // ours to load: the loader names the missing config
        }
        JsonNode type = AdapterJson.read(config).path("peft_type");
        return type.isMissingNode() || type.isNull() || type.asText().equals("LORA");
    }

    @Override
    public LoraAdapter load(Path dir, LlamaModel model) {
        return PeftAdapterFiles.load(dir, model);
    }

    @Override
    public void save(TrainableAdapter adapter, Path dir, BaseModelRef base) {
        PeftAdapterFiles.write(dir, own(adapter), base);
    }

    @Override
    public Optional<String> mergeRefusal() {
        return Optional.empty();
    }

    /** Each adapted weight becomes {@code W + scaling * B A} (DoRA: rescaled row-wise), see {@link MergedCheckpoint}. */
    @Override
    public void writeMerged(TrainableAdapter adapter, Path outDir, Path tokenizerSourceDir) {
        MergedCheckpoint.write(outDir, own(adapter).model(), tokenizerSourceDir);
    }

    private static LoraAdapter own(TrainableAdapter adapter) {
        if (!(adapter instanceof LoraAdapter lora)) {
            throw new IllegalArgumentException("the lora method cannot handle a " + adapter.method().name() + " adapter");
        }
        return lora;
    }

    @Override
    public String toString() {
        return name();
    }
}
