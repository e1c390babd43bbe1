package dev.finetune.api.basemodel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks that a set of files is a Hugging Face checkpoint the trainer can load: {@code config.json}
 * of a supported architecture, the tokenizer files, and the weights as one
 * {@code model.safetensors} or as shards listed by {@code model.safetensors.index.json}. Returns
 * the config summary that the catalog shows. Every refusal names the missing or bad file.
 */
final class CheckpointFiles {

    static final Set<String> MODEL_TYPES = Set.of("llama", "mistral", "qwen2");
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";
    private static final String[] TOKENIZER = {"tokenizer.json", "tokenizer_config.json"};
    private static final String[] SUMMARY_KEYS = {"hidden_size", "num_hidden_layers", "vocab_size",
        "num_attention_heads", "num_key_value_heads", "intermediate_size", "max_position_embeddings",
        "tie_word_embeddings", "torch_dtype", "head_dim"};
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CheckpointFiles() {
    }

    /**
     * @param names the file names present (relative to the checkpoint's directory)
     * @param read  reads one of them as bytes
     */
    static Map<String, Object> validate(Set<String> names, Function<String, byte[]> read) {
        require(names, CONFIG);
        JsonNode config = parse(CONFIG, read.apply(CONFIG));
        String modelType = config.path("model_type").asString(null);
        if (modelType == null || !MODEL_TYPES.contains(modelType)) {
            throw invalid("config.json: model_type " + (modelType == null ? "is missing" : "'" + modelType + "' is not supported")
                    + "; supported: " + new TreeSet<>(MODEL_TYPES), CONFIG);
        }
        for (String file : TOKENIZER) {
            require(names, file);
        }
        if (names.contains(INDEX)) {
            JsonNode weightMap = parse(INDEX, read.apply(INDEX)).path("weight_map");
            if (!weightMap.isObject() || weightMap.isEmpty()) {
                throw invalid(INDEX + " has no weight_map", INDEX);
            }
            Set<String> shards = new TreeSet<>();
            weightMap.forEach(shard -> shards.add(shard.asString()));
            for (String shard : shards) {
                require(names, shard);
            }
        } else if (!names.contains(WEIGHTS)) {
            throw invalid("the weights are missing: upload " + WEIGHTS + ", or " + INDEX + " with its shards", WEIGHTS);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model_type", modelType);
        for (String key : SUMMARY_KEYS) {
            JsonNode value = config.get(key);
            if (value != null && !value.isNull()) {
                summary.put(key, value.isNumber() ? value.numberValue() : value.isBoolean() ? value.asBoolean() : value.asString());
            }
        }
        return summary;
    }

    private static void require(Set<String> names, String file) {
        if (!names.contains(file)) {
            throw invalid(file + " is missing", file);
        }
    }

    private static JsonNode parse(String file, byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw invalid(file + " is not valid JSON: " + e.getOriginalMessage(), file);
        }
    }

    private static PlatformProblem invalid(String detail, String file) {
        return new PlatformProblem(ProblemKind.INVALID_BASE_MODEL, detail).with("file", file);
    }
}
