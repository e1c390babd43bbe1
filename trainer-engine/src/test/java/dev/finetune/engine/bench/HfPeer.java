package dev.finetune.engine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Hugging Face side of a training case: {@code scripts/hf_train_bench.py} (PEFT LoRA on a random
 * {@code LlamaForCausalLM} of the same shape, same LoRA settings, same number of threads), run in its own Python
 * process so its peak RSS is its own. With {@code checkpointing} the peer uses Hugging Face's gradient
 * checkpointing, the counterpart of the engine's block recomputation.
 */
final class HfPeer {

    /** What one run of the script measured, or why it failed ({@code error} non-null, the rest empty). */
    record Result(boolean checkpointing, List<Double> stepMillis, List<Double> losses, long idleRss, long loadedRss,
                  long peakRss, String versions, String error) {

        double bestStepMillis() {
            return stepMillis.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double medianStepMillis() {
            List<Double> sorted = stepMillis.stream().sorted().toList();
            return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
        }

        String label() {
            return checkpointing ? "HF PEFT LoRA fp32, gradient checkpointing" : "HF PEFT LoRA fp32";
        }
    }

    private HfPeer() {}

    static Path script() {
        Path local = Path.of("scripts", "hf_train_bench.py");
        return Files.exists(local) ? local : Path.of("trainer-engine", "scripts", "hf_train_bench.py");
    }

    static Result run(String python, BenchSettings s, boolean checkpointing, int threads) {
        List<String> cmd = new ArrayList<>(List.of(python, script().toString(),
                "--hidden", str(s.hidden()), "--layers", str(s.layers()), "--heads", str(s.heads()),
                "--kv-heads", str(s.kvHeads()), "--intermediate", str(s.intermediate()), "--vocab", str(s.vocab()),
                "--seq", str(s.seq()), "--batch", str(s.batch()), "--rank", str(s.rank()), "--alpha", str(2 * s.rank()),
                "--dropout", Double.toString(s.dropout()), "--targets", String.join(",", s.targets()),
                "--warmup", str(s.warmupSteps()), "--steps", str(s.timedSteps()), "--threads", str(threads),
                "--seed", Long.toString(s.seed())));
        if (checkpointing) {
            cmd.add("--checkpointing");
        }
        List<String> lines = new ArrayList<>();
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("HF_HUB_OFFLINE", "1");
            pb.environment().put("TRANSFORMERS_OFFLINE", "1");
            if (!Boolean.getBoolean("bench.defaultMalloc")) {
                // the same allocator settings as the engine's case JVMs, so RSS follows live tensors on both sides
                pb.environment().put("MALLOC_MMAP_THRESHOLD_", "131072");
                pb.environment().put("MALLOC_TRIM_THRESHOLD_", "0");
            }
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            }
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                return failed(checkpointing, "exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ": " + lastError(lines));
            }
        } catch (IOException e) {
            return failed(checkpointing, "could not start " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(checkpointing, "interrupted");
        }
        String json = lines.stream().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (json == null) {
            return failed(checkpointing, "no JSON line: " + lastError(lines));
        }
        try {
            JsonNode n = new ObjectMapper().readTree(json);
            List<Double> steps = new ArrayList<>();
            n.get("step_ms").forEach(v -> steps.add(v.asDouble()));
            List<Double> losses = new ArrayList<>();
            n.get("losses").forEach(v -> losses.add(v.asDouble()));
            return new Result(checkpointing, steps, losses, n.get("rss_idle").asLong(), n.get("rss_loaded").asLong(),
                    n.get("rss_peak").asLong(), n.get("versions").asText() + ", peak " + n.get("peak_method").asText(),
                    null);
        } catch (IOException | RuntimeException e) {
            return failed(checkpointing, "unreadable JSON line " + json + ": " + e);
        }
    }

    private static Result failed(boolean checkpointing, String why) {
        return new Result(checkpointing, List.of(), List.of(), 0, 0, 0, "", why.replace("|", "/"));
    }

    private static String lastError(List<String> lines) {
        return lines.stream().filter(l -> l.contains("Error") || l.contains("Exception")).reduce((a, b) -> b)
                .orElse(lines.isEmpty() ? "no output" : lines.get(lines.size() - 1)).trim();
    }

    private static String str(int v) {
        return Integer.toString(v);
    }
}
