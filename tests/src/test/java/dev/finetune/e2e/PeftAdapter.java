package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import tools.jackson.databind.JsonNode;

/**
 * A downloaded PEFT adapter read the way Python's {@code peft} and {@code safetensors} would: the
 * config as JSON, and the weights' safetensors header parsed by hand (8-byte little-endian header
 * length, a JSON header of {@code name -> {dtype, shape, data_offsets}}, then the raw data).
 */
public record PeftAdapter(Map<String, byte[]> files, JsonNode config, Map<String, Tensor> tensors) {

    /** One tensor's header entry. */
    public record Tensor(String dtype, List<Long> shape, long begin, long end) {
    }

    /** Reads a zip of the adapter's files (names may sit under a folder). */
    public static PeftAdapter fromZip(byte[] zip) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.isDirectory()) {
                    String name = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                    files.put(name, in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a readable zip", e);
        }
        return of(files);
    }

    public static PeftAdapter of(Map<String, byte[]> files) {
        assertThat(files).as("adapter files").containsKeys("adapter_config.json", "adapter_model.safetensors");
        JsonNode config = Api.JSON.readTree(files.get("adapter_config.json"));
        return new PeftAdapter(files, config, safetensors(files.get("adapter_model.safetensors")));
    }

    /** Parses a safetensors file's header and checks that the offsets tile the data section exactly. */
    public static Map<String, Tensor> safetensors(byte[] file) {
        assertThat(file.length).as("safetensors size").isGreaterThan(8);
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength).as("safetensors header length").isBetween(2L, (long) file.length - 8);
        JsonNode header = Api.JSON.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        long dataLength = file.length - 8 - headerLength;
        long covered = 0;
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            List<Long> shape = new ArrayList<>();
            t.path("shape").forEach(d -> shape.add(d.asLong()));
            Tensor tensor = new Tensor(t.path("dtype").asString(), shape, t.path("data_offsets").get(0).asLong(),
                    t.path("data_offsets").get(1).asLong());
            long elements = shape.stream().reduce(1L, (a, b) -> a * b);
            assertThat(tensor.end() - tensor.begin()).as("bytes of %s %s %s", e.getKey(), tensor.dtype(), shape)
                    .isEqualTo(elements * bytesPer(tensor.dtype()));
            assertThat(tensor.end()).as("end of %s", e.getKey()).isLessThanOrEqualTo(dataLength);
            covered += tensor.end() - tensor.begin();
            tensors.put(e.getKey(), tensor);
        }
        assertThat(covered).as("tensor bytes cover the data section").isEqualTo(dataLength);
        return tensors;
    }

    private static int bytesPer(String dtype) {
        return switch (dtype) {
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16" -> 2;
            case "F64", "I64" -> 8;
            case "U8", "I8", "BOOL" -> 1;
            default -> throw new AssertionError("unexpected dtype " + dtype);
        };
    }

    /**
     * Checks the layout PEFT writes and loads: config keys, and a {@code lora_A [r, in]} and
     * {@code lora_B [out, r]} pair for every targeted projection of every layer.
     */
    public PeftAdapter assertLoraLayout(int layers, int hidden, List<String> modules) {
        assertThat(config.path("peft_type").asString()).isEqualTo("LORA");
        assertThat(config.path("task_type").asString()).isEqualTo("CAUSAL_LM");
        int r = config.path("r").asInt();
        assertThat(r).isPositive();
        assertThat(config.path("lora_alpha").isNumber()).as("lora_alpha is a number: %s", config).isTrue();
        assertThat(config.has("target_modules")).as("target_modules in %s", config).isTrue();
        List<String> targets = new ArrayList<>();
        config.path("target_modules").forEach(t -> targets.add(t.asString()));
        assertThat(targets).containsAll(modules);
        for (int layer = 0; layer < layers; layer++) {
            for (String module : modules) {
                String base = "base_model.model.model.layers." + layer + ".self_attn." + module;
                Tensor a = tensors.get(base + ".lora_A.weight");
                Tensor b = tensors.get(base + ".lora_B.weight");
                assertThat(a).as("%s.lora_A.weight in %s", base, tensors.keySet()).isNotNull();
                assertThat(b).as("%s.lora_B.weight", base).isNotNull();
                assertThat(a.shape()).as("%s lora_A shape", base).hasSize(2).first().isEqualTo((long) r);
                assertThat(a.shape().get(1)).isEqualTo((long) hidden);
                assertThat(b.shape()).as("%s lora_B shape", base).hasSize(2).last().isEqualTo((long) r);
            }
        }
        assertThat(tensors).hasSize(layers * modules.size() * 2);
        return this;
    }
}
