package dev.finetune.engine.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parts of a Hugging Face {@code config.json} that a Llama-family decoder (llama, mistral,
 * qwen2) needs, with the Hugging Face defaults applied. {@link #raw()} keeps the whole parsed
 * JSON so a derived checkpoint (e.g. merged LoRA) can write the file back unchanged; it is empty
 * for configs made with {@link #of}, and then {@link #toJson()} synthesizes a config.json.
 *
 * <p>Every construction is validated; errors are {@link CheckpointException}s naming
 * config.json and the field.
 */
public record LlamaConfig(
        String modelType,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        Integer bosTokenId,
        Integer eosTokenId,
        List<Integer> eosTokenIds,
        String hiddenAct,
        Integer slidingWindow,
        Map<String, Object> raw) {

    public static final Set<String> SUPPORTED_MODEL_TYPES = Set.of("llama", "mistral", "qwen2");
    static final String SRC = "config.json";

    public LlamaConfig {
        if (modelType == null || !SUPPORTED_MODEL_TYPES.contains(modelType)) {
            throw new CheckpointException(SRC + ": model_type '" + modelType
                    + "' is not supported (supported: llama, mistral, qwen2)");
        }
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new CheckpointException(SRC + ": num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (!(rmsNormEps > 0) || Double.isInfinite(rmsNormEps)) {
            throw new CheckpointException(SRC + ": rms_norm_eps must be a positive number, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new CheckpointException(SRC + ": rope_theta must be a positive number, got " + ropeTheta);
        }
        if (!"silu".equals(hiddenAct)) {
            throw new CheckpointException(SRC + ": hidden_act '" + hiddenAct
                    + "' is not supported (only silu, the SwiGLU activation of llama/mistral/qwen2)");
        }
        if (slidingWindow != null && slidingWindow <= 0) {
            throw new CheckpointException(SRC + ": sliding_window must be positive or null, got " + slidingWindow);
        }
        if (eosTokenIds == null || eosTokenIds.isEmpty()) {
            eosTokenIds = eosTokenId == null ? List.of() : List.of(eosTokenId);
        } else {
            eosTokenIds = Collections.unmodifiableList(new ArrayList<>(eosTokenIds));
            if (eosTokenId == null) {
                eosTokenId = eosTokenIds.get(0);
            }
        }
        raw = raw == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(raw));
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new CheckpointException(SRC + ": " + field + " must be a positive integer, got " + value);
        }
    }

    /**
     * A llama config for random-initialised models (benchmarks, tests): head_dim hidden/heads,
     * rms_norm_eps 1e-5, rope_theta 10000, 2048 positions, untied, no biases, bos 1, eos 2.
     */
    public static LlamaConfig of(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab) {
        if (heads <= 0 || hidden % heads != 0) {
            throw new CheckpointException(SRC + ": hidden_size " + hidden
                    + " is not divisible by num_attention_heads " + heads);
        }
        return new LlamaConfig("llama", hidden, intermediate, layers, heads, kvHeads, hidden / heads, vocab,
                1e-5, 10000.0, 2048, false, false, false, 1, 2, List.of(2), "silu", null, Map.of());
    }

    /** Same config with a different tie_word_embeddings (raw is updated when present). */
    public LlamaConfig withTieWordEmbeddings(boolean tie) {
        Map<String, Object> r = raw;
        if (!raw.isEmpty()) {
            r = new LinkedHashMap<>(raw);
            r.put("tie_word_embeddings", tie);
        }
        return new LlamaConfig(modelType, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, vocabSize, rmsNormEps, ropeTheta, maxPositionEmbeddings, tie,
                attentionBias, mlpBias, bosTokenId, eosTokenId, eosTokenIds, hiddenAct, slidingWindow, r);
    }

    /** Number of query heads sharing one key/value head. */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    public static LlamaConfig load(Path configJson) {
        String text;
        try {
            text = Files.readString(configJson, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(configJson + " is missing", e);
        } catch (IOException e) {
            throw new CheckpointException(configJson + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(text, configJson.toString());
    }

    /** Parses config.json text; {@code sourceName} (e.g. its path) starts every error message. */
    public static LlamaConfig parse(String json, String sourceName) {
        return LlamaConfigParser.parse(json, sourceName == null ? SRC : sourceName);
    }

    /** Hugging Face style config.json text: {@link #raw()} unchanged when present, else synthesized. */
    public String toJson() {
        Map<String, Object> out = raw.isEmpty() ? synthesize() : raw;
        try {
            return Json.PRETTY.writeValueAsString(out) + "\n";
        } catch (JsonProcessingException e) {
            throw new CheckpointException(SRC + ": cannot encode (" + e.getOriginalMessage() + ")", e);
        }
    }

    private Map<String, Object> synthesize() {
        Map<String, Object> m = new LinkedHashMap<>();
        String arch = switch (modelType) {
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            default -> "LlamaForCausalLM";
        };
        m.put("architectures", List.of(arch));
        m.put("model_type", modelType);
        m.put("hidden_size", hiddenSize);
        m.put("intermediate_size", intermediateSize);
        m.put("num_hidden_layers", numHiddenLayers);
        m.put("num_attention_heads", numAttentionHeads);
        m.put("num_key_value_heads", numKeyValueHeads);
        m.put("head_dim", headDim);
        m.put("vocab_size", vocabSize);
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("rms_norm_eps", rmsNormEps);
        m.put("rope_theta", ropeTheta);
        m.put("rope_scaling", null);
        m.put("hidden_act", hiddenAct);
        m.put("tie_word_embeddings", tieWordEmbeddings);
        m.put("attention_bias", attentionBias);
        m.put("mlp_bias", mlpBias);
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenIds.size() > 1 ? eosTokenIds : eosTokenId);
        if (!modelType.equals("llama")) {
            m.put("sliding_window", slidingWindow);
        }
        if (modelType.equals("qwen2")) {
            m.put("use_sliding_window", slidingWindow != null);
        }
        m.put("torch_dtype", "float32");
        return m;
    }
}
