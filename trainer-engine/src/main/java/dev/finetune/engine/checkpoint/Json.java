package dev.finetune.engine.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** The package's shared Jackson setup and small JSON helpers. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static final ObjectMapper PRETTY = MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** Parses a safetensors header; it must be one JSON object. */
    static JsonNode parseHeader(Path file, byte[] header) {
        JsonNode root;
        try {
            root = MAPPER.readTree(header);
        } catch (IOException e) {
            throw new CheckpointException(file + ": header is not valid JSON (" + brief(e) + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + ": header is not a JSON object");
        }
        return root;
    }

    /** Parses a JSON document that must be an object; {@code source} names it in errors. */
    static JsonNode parseObject(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new CheckpointException(source + ": not valid JSON (" + brief(e) + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(source + ": must be a JSON object");
        }
        return root;
    }

    static long[] longArray(JsonNode n, String what) {
        if (n == null || !n.isArray()) {
            throw new CheckpointException(what + " must be an array of non-negative integers, got " + n);
        }
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = n.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw new CheckpointException(what + " must be an array of non-negative integers, got " + n);
            }
            out[i] = v.asLong();
        }
        return out;
    }

    static String brief(IOException e) {
        if (e instanceof JsonProcessingException j) {
            return j.getOriginalMessage() + (j.getLocation() == null ? ""
                    : " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr());
        }
        return e.getMessage();
    }
}
