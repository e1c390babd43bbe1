package dev.finetune.data.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face tokenizer loaded from a checkpoint directory.
 *
 * <ul>
 *   <li>{@code tokenizer.json} (required) is read from disk and handed to DJL as a string, so no
 *       hub lookup is possible; DJL's telemetry ping is switched off through the
 *       {@code OPT_OUT_TRACKING} system property (set only when the caller has not set it), and
 *       truncation and padding are disabled.
 *   <li>{@code tokenizer_config.json} (optional) gives {@code bos_token}, {@code eos_token},
 *       {@code pad_token} (plain strings or {@code {"content": ...}} objects), {@code add_bos_token},
 *       {@code add_eos_token} and {@code chat_template} (a string, or a list of named templates of
 *       which {@code "default"} is taken).
 *   <li>{@code config.json} (optional) supplies {@code bos_token_id}/{@code eos_token_id} when the
 *       tokenizer config names no such token.
 * </ul>
 *
 * <p><b>Special tokens on encode.</b> When the tokenizer config states {@code add_bos_token} or
 * {@code add_eos_token}, {@code encode(text, true)} follows those flags exactly (the
 * {@code tokenizer.json} post-processor is not used); when it states neither, the post-processor of
 * {@code tokenizer.json} decides, as in {@code transformers}.
 *
 * <p><b>Padding.</b> {@link #padId()} is the {@code pad_token} when the checkpoint names one, else
 * the EOS id: padding positions are never attended to nor trained on, so any valid id will do and
 * EOS always exists for causal LMs.
 */
public final class HfTokenizer implements TextTokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> tokenIds;
    private final Map<Integer, String> idTokens;
    private final int vocabSize;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final Boolean addBos;
    private final Boolean addEos;
    private final String chatTemplate;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, JsonNode tokenizerJson, JsonNode config,
            JsonNode modelConfig) {
        this.tokenizer = tokenizer;
        this.tokenIds = new HashMap<>();
        this.idTokens = new HashMap<>();
        collectVocab(tokenizerJson);
        this.vocabSize = idTokens.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.bosId = resolveId(config, "bos_token", modelConfig, "bos_token_id");
        this.eosId = resolveId(config, "eos_token", modelConfig, "eos_token_id");
        int pad = resolveId(config, "pad_token", null, null);
        this.padId = pad >= 0 ? pad : eosId;
        this.addBos = config.has("add_bos_token") && config.get("add_bos_token").isBoolean()
                ? config.get("add_bos_token").asBoolean() : null;
        this.addEos = config.has("add_eos_token") && config.get("add_eos_token").isBoolean()
                ? config.get("add_eos_token").asBoolean() : null;
        this.chatTemplate = readChatTemplate(config.get("chat_template"));
    }

    /**
     * Loads the tokenizer of a checkpoint directory.
     *
     * @throws TokenizerException when {@code tokenizer.json} is missing or cannot be parsed, or a
     *     config file is not valid JSON; the message names the file
     */
    public static HfTokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new TokenizerException("tokenizer file not found: " + file);
        }
        byte[] bytes;
        JsonNode tokenizerJson;
        try {
            bytes = Files.readAllBytes(file);
            tokenizerJson = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new TokenizerException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
        if (tokenizerJson == null || !tokenizerJson.isObject() || !tokenizerJson.has("model")) {
            throw new TokenizerException("not a Hugging Face tokenizer file (no \"model\"): " + file);
        }
        JsonNode config = readOptional(modelDir.resolve("tokenizer_config.json"));
        JsonNode modelConfig = readOptional(modelDir.resolve("config.json"));
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false", "truncation", "false", "padding", "false");
        HuggingFaceTokenizer djl;
        try {
            djl = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), options);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException("cannot load tokenizer file " + file + ": " + e.getMessage(), e);
        }
        return new HfTokenizer(djl, tokenizerJson, config, modelConfig);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        if (!addSpecialTokens) {
            return toInts(tokenizer.encode(text, false, false).getIds(), 0, 0);
        }
        if (addBos == null && addEos == null) {
            return toInts(tokenizer.encode(text, true, false).getIds(), 0, 0);
        }
        boolean bos = Boolean.TRUE.equals(addBos) && bosId >= 0;
        boolean eos = Boolean.TRUE.equals(addEos) && eosId >= 0;
        int[] ids = toInts(tokenizer.encode(text, false, false).getIds(), bos ? 1 : 0, eos ? 1 : 0);
        if (bos) {
            ids[0] = bosId;
        }
        if (eos) {
            ids[ids.length - 1] = eosId;
        }
        return ids;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecialTokens);
    }

    @Override
    public boolean addsBosToken() {
        if (addBos != null || addEos != null) {
            return Boolean.TRUE.equals(addBos) && bosId >= 0;
        }
        return TextTokenizer.super.addsBosToken();
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public String bosToken() {
        return idTokens.getOrDefault(bosId, "");
    }

    @Override
    public String eosToken() {
        return idTokens.getOrDefault(eosId, "");
    }

    /** The id of a token string (vocabulary entry or added token), or -1 if unknown. */
    public int tokenId(String token) {
        return tokenIds.getOrDefault(token, -1);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private void collectVocab(JsonNode tokenizerJson) {
        JsonNode vocab = tokenizerJson.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                put(e.getKey(), e.getValue().asInt());
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                put(vocab.get(i).path(0).asText(), i);
            }
        }
        for (JsonNode added : tokenizerJson.path("added_tokens")) {
            put(added.path("content").asText(), added.path("id").asInt());
        }
    }

    private void put(String token, int id) {
        tokenIds.put(token, id);
        idTokens.put(id, token);
    }

    private int resolveId(JsonNode config, String tokenKey, JsonNode modelConfig, String idKey) {
        JsonNode node = config.get(tokenKey);
        String token = node == null || node.isNull() ? null
                : node.isObject() ? node.path("content").asText(null) : node.asText(null);
        if (token != null) {
            Integer id = tokenIds.get(token);
            if (id != null) {
                return id;
            }
            int[] ids = toInts(tokenizer.encode(token, false, false).getIds(), 0, 0);
            if (ids.length == 1) {
                return ids[0];
            }
        }
        if (modelConfig != null && idKey != null) {
            JsonNode id = modelConfig.get(idKey);
            if (id != null && id.isInt()) {
                return id.asInt();
            }
            if (id != null && id.isArray() && id.size() > 0) { // e.g. Llama 3 lists several EOS ids
                return id.get(0).asInt();
            }
        }
        return -1;
    }

    private static String readChatTemplate(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        for (JsonNode named : node) {
            if ("default".equals(named.path("name").asText())) {
                return named.path("template").asText(null);
            }
        }
        return null;
    }

    private static JsonNode readOptional(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new TokenizerException("expected a JSON object in " + file);
            }
            return node;
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static int[] toInts(long[] ids, int before, int after) {
        int[] out = new int[ids.length + before + after];
        for (int i = 0; i < ids.length; i++) {
            out[before + i] = Math.toIntExact(ids[i]);
        }
        return out;
    }
}
