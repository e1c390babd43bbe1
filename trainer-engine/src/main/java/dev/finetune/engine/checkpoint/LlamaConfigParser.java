package dev.finetune.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads config.json fields with Hugging Face defaults and field-named errors. */
final class LlamaConfigParser {

    private final JsonNode root;
    private final String source;

    private LlamaConfigParser(JsonNode root, String source) {
        this.root = root;
        this.source = source;
    }

    @SuppressWarnings("unchecked")
    static LlamaConfig parse(String json, String source) {
        JsonNode root = Json.parseObject(json, source);
        LlamaConfigParser p = new LlamaConfigParser(root, source);
        String type = p.string("model_type", null);
        if (type == null) {
            throw new CheckpointException(source + ": model_type is missing (supported: llama, mistral, qwen2)");
        }
        if (!LlamaConfig.SUPPORTED_MODEL_TYPES.contains(type)) {
            throw new CheckpointException(source + ": model_type '" + type
                    + "' is not supported (supported: llama, mistral, qwen2)");
        }
        p.refuseRopeScaling();
        int hidden = p.requiredInt("hidden_size");
        int heads = p.requiredInt("num_attention_heads");
        Integer kv = p.optInt("num_key_value_heads");
        Integer headDim = p.optInt("head_dim");
        if (headDim == null && heads > 0 && hidden % heads != 0) {
            throw new CheckpointException(source + ": hidden_size " + hidden + " is not divisible by "
                    + "num_attention_heads " + heads + " and no head_dim is given");
        }
        List<Integer> eos = p.eosList();
        Integer sliding = switch (type) {
            case "mistral" -> root.has("sliding_window") ? p.optInt("sliding_window") : Integer.valueOf(4096);
            case "qwen2" -> p.bool("use_sliding_window", false) ? p.optInt("sliding_window") : null;
            default -> null;
        };
        int defaultPositions = switch (type) {
            case "mistral" -> 4096 * 32;
            case "qwen2" -> 32768;
            default -> 2048;
        };
        Map<String, Object> raw = Json.MAPPER.convertValue(root, LinkedHashMap.class);
        try {
            return new LlamaConfig(type, hidden, p.requiredInt("intermediate_size"),
                    p.requiredInt("num_hidden_layers"), heads, kv == null ? heads : kv,
                    headDim == null ? (heads > 0 ? hidden / heads : 0) : headDim, p.requiredInt("vocab_size"),
                    p.number("rms_norm_eps", 1e-6), p.ropeTheta(), p.intOr("max_position_embeddings", defaultPositions),
                    p.bool("tie_word_embeddings", false), p.bool("attention_bias", type.equals("qwen2")),
                    p.bool("mlp_bias", false), p.optInt("bos_token_id"), eos.isEmpty() ? null : eos.get(0), eos,
                    p.string("hidden_act", "silu"), sliding, raw);
        } catch (CheckpointException e) {
            String m = e.getMessage();
            throw new CheckpointException(m.startsWith(LlamaConfig.SRC + ":")
                    ? source + m.substring(LlamaConfig.SRC.length()) : m, e);
        }
    }

    private void refuseRopeScaling() {
        JsonNode rs = root.get("rope_scaling");
        if (rs != null && !rs.isNull()) {
            throw new CheckpointException(source + ": rope_scaling " + rs + " is not supported "
                    + "(only plain RoPE is implemented; use a model without rope_scaling)");
        }
        JsonNode rp = root.get("rope_parameters");
        if (rp != null && rp.isObject() && rp.has("rope_type") && !"default".equals(rp.get("rope_type").asText())) {
            throw new CheckpointException(source + ": rope_parameters " + rp + " is not supported "
                    + "(only rope_type 'default' is implemented)");
        }
    }

    private double ropeTheta() {
        JsonNode rp = root.get("rope_parameters");
        if (!root.has("rope_theta") && rp != null && rp.isObject() && rp.has("rope_theta")) {
            return numberOf(rp.get("rope_theta"), "rope_parameters.rope_theta");
        }
        return number("rope_theta", 10000.0);
    }

    private int requiredInt(String field) {
        Integer v = optInt(field);
        if (v == null) {
            throw new CheckpointException(source + ": required field '" + field + "' is missing");
        }
        return v;
    }

    private int intOr(String field, int dflt) {
        Integer v = optInt(field);
        return v == null ? dflt : v;
    }

    private Integer optInt(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        return intOf(n, field);
    }

    private int intOf(JsonNode n, String field) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new CheckpointException(source + ": field '" + field + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    private double number(String field, double dflt) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? dflt : numberOf(n, field);
    }

    private double numberOf(JsonNode n, String field) {
        if (!n.isNumber()) {
            throw new CheckpointException(source + ": field '" + field + "' must be a number, got " + n);
        }
        return n.doubleValue();
    }

    private boolean bool(String field, boolean dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new CheckpointException(source + ": field '" + field + "' must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    private String string(String field, String dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new CheckpointException(source + ": field '" + field + "' must be a string, got " + n);
        }
        return n.textValue();
    }

    private List<Integer> eosList() {
        JsonNode n = root.get("eos_token_id");
        List<Integer> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isArray()) {
            for (JsonNode e : n) {
                out.add(intOf(e, "eos_token_id"));
            }
        } else {
            out.add(intOf(n, "eos_token_id"));
        }
        return out;
    }
}
