package dev.finetune.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.checkpoint.SafetensorsFile;
import dev.finetune.engine.checkpoint.SafetensorsWriter;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.Projection;
import dev.finetune.engine.peft.AdapterJson;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.peft.BaseModelRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PEFT adapter directory: {@code adapter_config.json} with PEFT's keys and
 * {@code adapter_model.safetensors} with PEFT's tensor names, so Hugging Face PEFT loads what we
 * write unchanged and we load what PEFT writes (unknown config keys are ignored).
 */
public final class PeftAdapterFiles {

    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final Pattern KEY = Pattern.compile("base_model\\.model\\.(.+)\\.lora_([AB])(?:\\.default)?\\.weight");
    /** PEFT 0.21 writes {@code <module>.lora_magnitude_vector}; older releases added {@code .weight}. */
    private static final Pattern MAGNITUDE = Pattern.compile(
            "base_model\\.model\\.(.+)\\." + Dora.MAGNITUDE + "(?:\\.default)?(?:\\.weight)?");

    private PeftAdapterFiles() {}

    static void write(Path dir, LoraAdapter adapter, BaseModelRef base) {
        LoraConfig c = adapter.config();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("peft_type", "LORA");
        json.put("task_type", "CAUSAL_LM");
        json.put("base_model_name_or_path", base.nameOrPath());
        json.put("revision", null);
        json.put("r", c.r());
        json.put("lora_alpha", c.loraAlpha() == Math.rint(c.loraAlpha()) ? (Object) (long) c.loraAlpha() : c.loraAlpha());
        json.put("lora_dropout", c.loraDropout());
        json.put("target_modules", c.targetRegex() != null ? c.targetRegex() : targetNames(adapter));
        json.put("bias", "none");
        json.put("use_rslora", c.useRslora());
        json.put("use_dora", c.useDora());
        json.put("init_lora_weights", true);
        json.put("fan_in_fan_out", false);
        json.put("modules_to_save", null);
        json.put("layers_to_transform", c.layersToTransform());
        json.put("layers_pattern", null);
        json.put("rank_pattern", c.rankPattern());
        json.put("alpha_pattern", c.alphaPattern());
        json.put("inference_mode", true);
        AdapterJson.write(dir.resolve(CONFIG), json);

        SafetensorsWriter.write(dir.resolve(WEIGHTS), adapter.weights(), base.weightsMetadata());
    }

    /** PEFT saves {@code all-linear} expanded to the module names it matched; so do we. */
    private static List<String> targetNames(LoraAdapter adapter) {
        TreeSet<String> names = new TreeSet<>();
        adapter.layers().keySet().forEach(p -> names.add(p.name()));
        return new ArrayList<>(names);
    }

    /** Reads a PEFT LoRA directory (ours or anyone's) and attaches it to {@code model}. */
    public static LoraAdapter load(Path dir, LlamaModel model) {
        LoraConfig config = readConfig(dir.resolve(CONFIG));
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.exists(weights)) {
            throw new AdapterLoadException(WEIGHTS + " is missing in " + dir);
        }
        Map<String, Projection> byPath = new HashMap<>();
        model.allProjections().forEach(p -> byPath.put(p.path(), p));
        Map<String, NDArray[]> tensors = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            String fingerprint = file.metadata().get(BaseModelRef.METADATA_KEY);
            String expected = BaseModelRef.fingerprint(model);
            if (fingerprint != null && !fingerprint.equals(expected)) {
                throw new AdapterLoadException("adapter in " + dir + " was trained on a different base model "
                        + "(fingerprint " + fingerprint.substring(0, 12) + ", this base is " + expected.substring(0, 12)
                        + "); refusing to apply it");
            }
            for (String name : file.names()) {
                Matcher m = KEY.matcher(name);
                Matcher magnitude = MAGNITUDE.matcher(name);
                if (magnitude.matches()) {
                    if (!config.useDora()) {
                        throw new AdapterLoadException(WEIGHTS + ": tensor '" + name + "' is a DoRA magnitude but "
                                + CONFIG + " has use_dora false");
                    }
                    Projection p = projection(byPath, name, magnitude.group(1));
                    tensors.computeIfAbsent(p.path(), k -> new NDArray[3])[2] = magnitude(file, name, p, model);
                    continue;
                }
                if (!m.matches()) {
                    throw new AdapterLoadException(WEIGHTS + ": tensor '" + name + "' is not a LoRA weight "
                            + "(expected base_model.model.<module>.lora_A/lora_B.weight or .lora_magnitude_vector)");
                }
                Projection p = projection(byPath, name, m.group(1));
                HostTensor t = file.read(name);
                boolean isA = m.group(2).equals("A");
                long expectedDim = isA ? p.linear().inFeatures() : p.linear().outFeatures();
                long actualDim = isA ? t.shape()[1] : t.shape()[0];
                if (t.shape().length != 2 || actualDim != expectedDim) {
                    throw new AdapterLoadException(WEIGHTS + ": tensor '" + name + "' has shape "
                            + java.util.Arrays.toString(t.shape()) + " but this base model's " + p.path() + " has "
                            + (isA ? "in" : "out") + "_features " + expectedDim
                            + ": the adapter was made for a different base model");
                }
                NDArray array = model.manager().create(t.data(), new Shape(t.shape()));
                tensors.computeIfAbsent(p.path(), k -> new NDArray[3])[isA ? 0 : 1] = array;
            }
        }
        Map<String, LoraAdapter.LoraWeights> byModule = new LinkedHashMap<>();
        tensors.forEach((path, t) -> {
            if (t[0] == null || t[1] == null) {
                throw new AdapterLoadException(WEIGHTS + ": module '" + path + "' has only one of lora_A / lora_B");
            }
            if (config.useDora() && t[2] == null) {
                throw new AdapterLoadException(WEIGHTS + ": module '" + path + "' has no " + Dora.MAGNITUDE
                        + " but " + CONFIG + " has use_dora true");
            }
            byModule.put(path, new LoraAdapter.LoraWeights(t[0], t[1], t[2]));
        });
        return LoraAdapter.attachWeights(model, rankFromWeights(config, byModule), byModule);
    }

    /** DoRA's magnitude: one value per output feature of the module. */
    private static NDArray magnitude(SafetensorsFile file, String name, Projection p, LlamaModel model) {
        HostTensor t = file.read(name);
        if (t.shape().length != 1 || t.shape()[0] != p.linear().outFeatures()) {
            throw new AdapterLoadException(WEIGHTS + ": tensor '" + name + "' has shape "
                    + java.util.Arrays.toString(t.shape()) + " but this base model's " + p.path()
                    + " has out_features " + p.linear().outFeatures());
        }
        return model.manager().create(t.data(), new Shape(t.shape()));
    }

    private static Projection projection(Map<String, Projection> byPath, String tensor, String module) {
        Projection p = byPath.get(module);
        if (p == null) {
            throw new AdapterLoadException(WEIGHTS + ": tensor '" + tensor + "' targets module '" + module
                    + "' which this base model does not have: the adapter was made for a different base model");
        }
        return p;
    }

    /** Trust the tensors' own rank when a module's rank differs from {@code r} but no pattern says so. */
    private static LoraConfig rankFromWeights(LoraConfig config, Map<String, LoraAdapter.LoraWeights> weights) {
        Map<String, Integer> ranks = new LinkedHashMap<>(config.rankPattern());
        weights.forEach((path, w) -> {
            int rank = (int) w.loraA().getShape().get(0);
            if (rank != config.rankFor(path)) {
                ranks.put(Pattern.quote(path), rank);
            }
        });
        return ranks.equals(config.rankPattern()) ? config : config.withPatterns(ranks, config.alphaPattern());
    }

    static LoraConfig readConfig(Path file) {
        JsonNode json = AdapterJson.read(file);
        String type = json.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) {
            throw new AdapterLoadException(CONFIG + ": peft_type '" + type + "' is not LoRA");
        }
        require(json, "bias", "none", "only bias 'none' is supported");
        if (json.path("fan_in_fan_out").asBoolean(false)) {
            throw new AdapterLoadException(CONFIG + ": fan_in_fan_out=true is for GPT-2 style Conv1D layers, not Llama");
        }
        JsonNode save = json.path("modules_to_save");
        if (!save.isMissingNode() && !save.isNull() && !save.isEmpty()) {
            throw new AdapterLoadException(CONFIG + ": modules_to_save " + save + " is not supported");
        }
        JsonNode targets = json.path("target_modules");
        List<String> names = new ArrayList<>();
        String regex = null;
        if (targets.isTextual()) {
            if (targets.asText().equals(LoraConfig.ALL_LINEAR)) {
                names.add(LoraConfig.ALL_LINEAR);
            } else {
                regex = targets.asText();
            }
        } else if (targets.isArray()) {
            targets.forEach(t -> names.add(t.asText()));
        } else {
            throw new AdapterLoadException(CONFIG + ": target_modules is missing");
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        json.path("rank_pattern").fields().forEachRemaining(e -> ranks.put(e.getKey(), e.getValue().asInt()));
        Map<String, Double> alphas = new LinkedHashMap<>();
        json.path("alpha_pattern").fields().forEachRemaining(e -> alphas.put(e.getKey(), e.getValue().asDouble()));
        List<Integer> layers = null;
        JsonNode l = json.path("layers_to_transform");
        if (l.isInt()) {
            layers = List.of(l.asInt());
        } else if (l.isArray()) {
            layers = new ArrayList<>();
            for (JsonNode n : l) {
                layers.add(n.asInt());
            }
        }
        try {
            return new LoraConfig(json.path("r").asInt(8), json.path("lora_alpha").asDouble(8),
                    json.path("lora_dropout").asDouble(0), names, regex, json.path("use_rslora").asBoolean(false),
                    json.path("use_dora").asBoolean(false), ranks, alphas, layers);
        } catch (IllegalArgumentException e) {
            throw new AdapterLoadException(CONFIG + ": " + e.getMessage());
        }
    }

    private static void require(JsonNode json, String field, String value, String message) {
        JsonNode n = json.path(field);
        if (!n.isMissingNode() && !n.isNull() && !n.asText().equals(value)) {
            throw new AdapterLoadException(CONFIG + ": " + field + " '" + n.asText() + "': " + message);
        }
    }
}
