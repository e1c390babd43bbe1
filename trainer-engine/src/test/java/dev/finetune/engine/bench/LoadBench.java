package dev.finetune.engine.bench;

import dev.finetune.engine.checkpoint.HalfCheckpoints;
import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.engine.checkpoint.TensorDType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Checkpoint loading benchmark: a randomly generated bf16 checkpoint of the TinyLlama-1.1B shape
 * (hidden 2048, 22 layers, 32 heads / 4 KV heads, intermediate 5632, vocab 32000, in 5 shards;
 * never downloaded) loaded dense (LoRA) and NF4 (QLoRA) by the streamed loader and by the previous
 * host-widening path, each case in a fresh JVM under {@code -Xmx2g} (so DJL's direct buffers are
 * limited to 2 GiB, as the issue found), interleaved, with load time and peak RSS ({@code VmHWM},
 * reset just before the load). When {@code -Dbench.python} names a Python with torch and
 * transformers, Hugging Face's {@code LlamaForCausalLM.from_pretrained(..., torch_dtype=float32)} of
 * the same directory is timed the same way. Prints a Markdown table; writes it to
 * {@code target/bench/load-bench.md}.
 *
 * <p>Properties: {@code bench.load.dir} (checkpoint directory, generated when missing; default
 * {@code target/bench/tinyllama-bf16}), {@code bench.load.hidden} (2048), {@code bench.load.layers} (22),
 * {@code bench.load.heads} (32), {@code bench.load.kvHeads} (4), {@code bench.load.intermediate} (5632),
 * {@code bench.load.vocab} (32000), {@code bench.load.shards} (5), {@code bench.load.xmx} (2g),
 * {@code bench.load.rounds} (1), {@code bench.load.bigXmx} (8g: the previous dense path once more with room for its direct buffers; empty skips it), {@code bench.load.cases} ({@code dense,nf4}), {@code bench.python} (unset), {@code bench.load.jvmArgs} (extra child JVM flags, space-separated; child lines starting with {@code [gc} are relayed).
 */
public final class LoadBench {

    private LoadBench() {}

    public static void main(String[] args) {
        System.out.println(run());
    }

    static String run() {
        LlamaConfig config = LlamaConfig.of(intProp("hidden", 2048), intProp("layers", 22), intProp("heads", 32),
                intProp("kvHeads", 4), intProp("intermediate", 5632), intProp("vocab", 32000));
        int shards = intProp("shards", 5);
        String xmx = System.getProperty("bench.load.xmx", "2g");
        int rounds = intProp("rounds", 1);
        Path dir = Path.of(System.getProperty("bench.load.dir", Path.of(System.getProperty("basedir", "."), "target",
                "bench", "load-" + config.hiddenSize() + "x" + config.numHiddenLayers() + "-bf16").toString()));
        long params = 0;
        for (long[] s : HalfCheckpoints.llamaShapes(config).values()) {
            long n = 1;
            for (long d : s) {
                n *= d;
            }
            params += n;
        }
        StringBuilder md = new StringBuilder();
        line(md, "# Checkpoint load benchmark");
        line(md, "");
        line(md, "- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        line(md, "- machine: " + Runtime.getRuntime().availableProcessors() + " CPU(s) visible to the JVM, Java "
                + System.getProperty("java.version"));
        line(md, f("- checkpoint: random bf16, hidden %d, %d layers, %d heads / %d KV heads, intermediate %d, vocab %d, "
                        + "%d shards, %.1fM parameters (%.0f MB on disk, %.0f MB as float32), %s",
                config.hiddenSize(), config.numHiddenLayers(), config.numAttentionHeads(), config.numKeyValueHeads(),
                config.intermediateSize(), config.vocabSize(), shards, params / 1e6, params * 2 / 1e6, params * 4 / 1e6, dir));
        line(md, "- each case in a fresh JVM, serial GC, -Xmx as shown (DJL's direct buffers are limited to the same); peak RSS is VmHWM "
                + "reset after engine start, so it counts the JVM and libtorch baseline plus the load");
        line(md, "");
        long genStart = System.nanoTime();
        boolean generated = ensureCheckpoint(dir, config, shards);
        if (generated) {
            line(md, f("- checkpoint generated in %.1f s", (System.nanoTime() - genStart) / 1e9));
            line(md, "");
        }
        List<String[]> cases = new ArrayList<>();
        for (String mode : System.getProperty("bench.load.cases", "dense,nf4").split(",")) {
            cases.add(new String[] {mode.trim(), "host", xmx});
            cases.add(new String[] {mode.trim(), "streamed", xmx});
        }
        String bigXmx = System.getProperty("bench.load.bigXmx", "8g");
        if (!bigXmx.isEmpty()) {
            // the previous dense path where its direct buffers fit, for its peak
            cases.add(1, new String[] {"dense", "host", bigXmx});
        }
        String python = System.getProperty("bench.python", "");
        Map<String, List<Map<String, String>>> results = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String[] c : cases) {
                String key = c[0] + " / " + (c[1].equals("host") ? "before (widen on host)" : "after (streamed)")
                        + ", -Xmx" + c[2];
                System.out.println("[bench] load " + key + " round " + (r + 1));
                results.computeIfAbsent(key, k -> new ArrayList<>()).add(forked(dir, c[0], c[1], c[2]));
            }
            if (!python.isEmpty()) {
                System.out.println("[bench] load HF from_pretrained round " + (r + 1));
                results.computeIfAbsent("HF from_pretrained fp32", k -> new ArrayList<>()).add(hf(python, dir));
            }
        }
        line(md, "| case | load s | peak RSS MB | RSS after MB | RSS before MB | frozen weights MB | note |");
        line(md, "|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<Map<String, String>>> e : results.entrySet()) {
            for (Map<String, String> m : e.getValue()) {
                if (m.containsKey("error")) {
                    line(md, "| " + e.getKey() + " | failed | | | | | " + m.get("error") + " |");
                } else {
                    line(md, f("| %s | %.1f | %.0f | %.0f | %.0f | %s | %s |", e.getKey(),
                            Long.parseLong(m.get("load_ms")) / 1e3, mb(m.get("rss_peak")), mb(m.get("rss_after")),
                            mb(m.get("rss_before")), m.containsKey("frozen_bytes") ? f("%.0f", mb(m.get("frozen_bytes"))) : "",
                            m.getOrDefault("note", "")));
                }
            }
        }
        line(md, "");
        String report = md.toString();
        write(report);
        return report;
    }

    private static boolean ensureCheckpoint(Path dir, LlamaConfig config, int shards) {
        Path done = dir.resolve(".complete");
        if (Files.exists(done)) {
            return false;
        }
        System.out.println("[bench] writing random bf16 checkpoint to " + dir);
        HalfCheckpoints.write(dir, config.toJson(), HalfCheckpoints.llamaShapes(config), TensorDType.BF16, shards,
                HalfCheckpoints.random(42));
        try {
            Files.writeString(done, "ok");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    private static Map<String, String> forked(Path dir, String mode, String path, String xmx) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmx, "-XX:+UseSerialGC", "-Dai.djl.offline=true"));
        String extra = System.getProperty("bench.load.jvmArgs", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", classpath, LoadBenchChild.class.getName(), dir.toString(), mode, path));
        return runChild(new ProcessBuilder(cmd));
    }

    /** HF's side: the same directory through from_pretrained in float32, VmHWM reset after the imports. */
    private static Map<String, String> hf(String python, Path dir) {
        String script = String.join("\n",
                "import sys, time, torch, transformers",
                "def f(k):",
                "    for l in open('/proc/self/status'):",
                "        if l.startswith(k): return int(l.split()[1]) * 1024",
                "torch.set_num_threads(2)",
                "before = f('VmRSS:')",
                "open('/proc/self/clear_refs', 'w').write('5')",
                "t0 = time.perf_counter()",
                "m = transformers.LlamaForCausalLM.from_pretrained(sys.argv[1], torch_dtype=torch.float32)",
                "ms = int((time.perf_counter() - t0) * 1000)",
                "print('result load_ms=%d' % ms)",
                "print('result rss_before=%d' % before)",
                "print('result rss_peak=%d' % f('VmHWM:'))",
                "print('result rss_after=%d' % f('VmRSS:'))",
                "print('result frozen_bytes=%d' % sum(p.numel() * p.element_size() for p in m.parameters()))",
                "print('result note=torch %s, transformers %s' % (torch.__version__, transformers.__version__))");
        ProcessBuilder pb = new ProcessBuilder(python, "-c", script, dir.toString());
        pb.environment().put("HF_HUB_OFFLINE", "1");
        pb.environment().put("TRANSFORMERS_OFFLINE", "1");
        return runChild(pb);
    }

    private static Map<String, String> runChild(ProcessBuilder pb) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> all = new ArrayList<>();
        try {
            Process p = pb.redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    all.add(l);
                    if (l.startsWith("[gc") || l.contains("][gc")) {
                        System.out.println(l);
                    }
                    if (l.startsWith("result ")) {
                        int eq = l.indexOf('=');
                        out.put(l.substring(7, eq), l.substring(eq + 1));
                    }
                }
            }
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0 || !out.containsKey("load_ms")) {
                String why = all.stream().filter(l -> l.contains("Error") || l.contains("Exception")).findFirst()
                        .orElse(all.isEmpty() ? "no output" : all.get(all.size() - 1));
                out.clear();
                out.put("error", "exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ": "
                        + why.replace("|", "/").trim());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void write(String report) {
        Path out = Path.of(System.getProperty("basedir", "."), "target", "bench", "load-bench.md");
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
            System.out.println("report written to " + out.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double mb(String bytes) {
        return Long.parseLong(bytes) / 1e6;
    }

    private static int intProp(String name, int def) {
        return Integer.getInteger("bench.load." + name, def);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static void line(StringBuilder md, String s) {
        md.append(s).append('\n');
    }
}
