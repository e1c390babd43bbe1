package dev.finetune.engine.bottleneck;

import dev.finetune.settings.AdapterKind;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.checkpoint.SafetensorsFile;
import dev.finetune.engine.checkpoint.SafetensorsWriter;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.peft.AdapterJson;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.peft.BaseModelRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdapterHub's adapter directory: {@code adapter_config.json} ({@code config} with the bottleneck
 * settings, plus {@code hidden_size}, {@code model_type}, {@code name}) and {@code adapter.safetensors}.
 */
public final class AdapterHubFiles {

    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter.safetensors";

    private AdapterHubFiles() {}

    static void write(Path dir, BottleneckAdapter adapter, BaseModelRef base) {
        BottleneckConfig c = adapter.config();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("config", BottleneckAdapter.describe(c));
        json.put("hidden_size", adapter.model().config().hiddenSize());
        json.put("model_class", "LlamaForCausalLM");
        json.put("model_name", base.nameOrPath());
        json.put("model_type", adapter.model().config().modelType());
        json.put("name", c.name());
        json.put("version", "adapters.1.0.0");
        AdapterJson.write(dir.resolve(CONFIG), json);
        SafetensorsWriter.write(dir.resolve(WEIGHTS), adapter.weights(), base.weightsMetadata());
    }

    /** Reads an AdapterHub bottleneck adapter and attaches it to {@code model}. */
    public static BottleneckAdapter load(Path dir, LlamaModel model) {
        JsonNode json = AdapterJson.read(dir.resolve(CONFIG));
        JsonNode c = json.path("config");
        boolean houlsby = c.path("mh_adapter").asBoolean(false);
        BottleneckConfig config;
        try {
            config = new BottleneckConfig(houlsby ? AdapterKind.HOULSBY : AdapterKind.PFEIFFER,
                    c.path("reduction_factor").asInt(16), c.path("non_linearity").asText(null),
                    c.path("scaling").asDouble(1.0), json.path("name").asText("finetune"));
        } catch (IllegalArgumentException e) {
            throw new AdapterLoadException(CONFIG + ": " + e.getMessage());
        }
        int hidden = json.path("hidden_size").asInt(model.config().hiddenSize());
        if (hidden != model.config().hiddenSize()) {
            throw new AdapterLoadException(CONFIG + ": adapter was made for hidden_size " + hidden
                    + " but this base model has " + model.config().hiddenSize());
        }
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.exists(weights)) {
            throw new AdapterLoadException(WEIGHTS + " is missing in " + dir);
        }
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            String fingerprint = file.metadata().get(BaseModelRef.METADATA_KEY);
            if (fingerprint != null && !fingerprint.equals(BaseModelRef.fingerprint(model))) {
                throw new AdapterLoadException("adapter in " + dir + " was trained on a different base model; refusing to apply it");
            }
            int bottleneck = config.bottleneckSize(hidden);
            return BottleneckAdapter.attach(model, config, prefix -> new NDArray[] {
                read(file, model, prefix + "adapter_down.0.weight", bottleneck, hidden),
                read(file, model, prefix + "adapter_down.0.bias", bottleneck),
                read(file, model, prefix + "adapter_up.weight", hidden, bottleneck),
                read(file, model, prefix + "adapter_up.bias", hidden)});
        }
    }

    private static NDArray read(SafetensorsFile file, LlamaModel model, String name, long... shape) {
        if (!file.names().contains(name)) {
            throw new AdapterLoadException(WEIGHTS + ": tensor '" + name + "' is missing");
        }
        HostTensor t = file.read(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new AdapterLoadException(WEIGHTS + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", this base model needs " + Arrays.toString(shape));
        }
        return model.manager().create(t.data(), new Shape(shape));
    }
}
