package dev.finetune.serving;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a real PEFT LoRA directory (adapter_config.json + adapter_model.safetensors, F32) for the
 * sample {@code tinystories-656k} (hidden 128, 2 layers, 4 KV heads of 16): random A and B from a
 * seed, large enough that greedy decoding differs from the base's.
 */
final class LoraFiles {

    static final int HIDDEN = 128;
    static final int KV = 64;
    static final int LAYERS = 2;

    private LoraFiles() {
    }

    /** A LoRA of rank 4 on q_proj and v_proj of every layer; {@code targets} is what adapter_config.json says. */
    static Path write(Path dir, long seed, float scale, List<String> targets) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("adapter_config.json"), """
                {"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": "tinystories-656k",
                 "r": 4, "lora_alpha": 8, "lora_dropout": 0.0, "target_modules": %s, "bias": "none",
                 "fan_in_fan_out": false, "use_rslora": false, "use_dora": false, "inference_mode": true}
                """.formatted(targets.stream().map(t -> "\"" + t + "\"").toList()));
        Random random = new Random(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int rank = 4;
        for (int layer = 0; layer < LAYERS; layer++) {
            for (String module : List.of("q_proj", "v_proj")) {
                int out = module.equals("q_proj") ? HIDDEN : KV;
                String base = "base_model.model.model.layers." + layer + ".self_attn." + module;
                tensors.put(base + ".lora_A.weight", randoms(random, rank * HIDDEN, scale));
                shapes.put(base + ".lora_A.weight", new int[] {rank, HIDDEN});
                tensors.put(base + ".lora_B.weight", randoms(random, out * rank, scale));
                shapes.put(base + ".lora_B.weight", new int[] {out, rank});
            }
        }
        Files.write(dir.resolve("adapter_model.safetensors"), safetensors(tensors, shapes));
        return dir;
    }

    private static float[] randoms(Random random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * scale;
        }
        return v;
    }

    private static byte[] safetensors(Map<String, float[]> tensors, Map<String, int[]> shapes) {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Map.Entry<String, float[]> t : tensors.entrySet()) {
            int[] shape = shapes.get(t.getKey());
            long end = offset + 4L * t.getValue().length;
            header.append(",\"").append(t.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":[").append(shape[0]).append(',')
                    .append(shape[1]).append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.allocate((int) offset).order(ByteOrder.LITTLE_ENDIAN);
        tensors.values().forEach(v -> {
            for (float f : v) {
                data.putFloat(f);
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data.array());
        return out.toByteArray();
    }
}
