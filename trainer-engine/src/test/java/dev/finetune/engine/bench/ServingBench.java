package dev.finetune.engine.bench;

import ai.djl.ndarray.NDManager;
import dev.finetune.engine.bottleneck.BottleneckAdapter;
import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.engine.checkpoint.HfCheckpointWriter;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.engine.lora.LoraAdapter;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.serve.BasePrecision;
import dev.finetune.engine.serve.Decoder;
import dev.finetune.engine.serve.DecoderOptions;
import dev.finetune.engine.serve.FinishReason;
import dev.finetune.engine.serve.GenerationRequest;
import dev.finetune.engine.serve.ServedAdapter;
import dev.finetune.engine.serve.ServingModel;
import dev.finetune.engine.serve.TokenSink;
import dev.finetune.engine.testing.Fixtures;
import dev.finetune.engine.testing.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The serving benchmark (issue 11): decode tokens/s of one request on the base, on a LoRA merged into the base,
 * on the same LoRA unmerged, and on a bottleneck adapter (each as a ratio to the base); aggregate tokens/s of 1,
 * 4, 8 and 16 concurrent requests on one adapter and on that many distinct adapters; time to the first token
 * with the adapter loaded (warm) and including its load from a local directory (cold). Every case runs once per
 * round, rounds interleave the cases, and the median of the rounds is reported, so the ratios come from the same
 * minutes of a shared machine.
 *
 * <p>The model is a randomly initialised Llama written as a Hugging Face checkpoint with the tinystories
 * tokenizer (so the whole serving path, files included, is exercised); adapters are random LoRA (B non-zero)
 * and Houlsby adapters saved in PEFT / AdapterHub layout against that base. Settings: {@code -Dserve.hidden}
 * (512), {@code serve.layers} (4), {@code serve.heads} (8), {@code serve.kvHeads} (4), {@code serve.intermediate}
 * (1408), {@code serve.rank} (16), {@code serve.tokens} (48), {@code serve.prompt} (32), {@code serve.rounds} (3).
 *
 * <p>Run: {@code ./mvnw -o -pl trainer-engine -am verify -Dgroups=bench -Dsurefire.excludedGroups= -Dtest=ServingBenchTest
 * -Dsurefire.failIfNoSpecifiedTests=false}; the table is in the surefire output and {@code target/bench/serving-bench.md}.
 */
public final class ServingBench {

    static final int VOCAB = 2048;

    private ServingBench() {}

    public static void main(String[] args) throws Exception {
        System.out.println(run());
    }

    static int prop(String name, int def) {
        return Integer.parseInt(System.getProperty("serve." + name, Integer.toString(def)));
    }

    static String run() throws Exception {
        EngineRuntime.init();
        int hidden = prop("hidden", 512);
        int layers = prop("layers", 4);
        int heads = prop("heads", 8);
        int kvHeads = prop("kvHeads", 4);
        int intermediate = prop("intermediate", 1408);
        int rank = prop("rank", 16);
        int tokens = prop("tokens", 48);
        int promptLen = prop("prompt", 32);
        int rounds = prop("rounds", 3);
        LlamaConfig config = LlamaConfig.of(hidden, layers, heads, kvHeads, intermediate, VOCAB);
        Path work = Files.createTempDirectory("serving-bench");
        try {
            Path base = work.resolve("base");
            writeCheckpoint(config, base, 11);
            List<Path> loras = new ArrayList<>();
            Path bottleneck = work.resolve("houlsby");
            writeAdapters(base, work, rank, 16, loras, bottleneck);

            StringBuilder md = new StringBuilder();
            line(md, "# Serving benchmark");
            line(md, "");
            line(md, "- machine: " + Runtime.getRuntime().availableProcessors() + " CPU(s) visible, libtorch intra-op threads "
                    + ai.djl.pytorch.jni.JniUtils.getNumThreads() + ", Java " + System.getProperty("java.version"));
            line(md, f("- model: random llama, hidden %d, %d layers, %d heads (%d KV), intermediate %d, vocab %d, float32 on CPU",
                    hidden, layers, heads, kvHeads, intermediate, VOCAB));
            line(md, f("- LoRA r=%d alpha=%d on all-linear (7 projections x %d layers); Houlsby bottleneck, reduction 16",
                    rank, 2 * rank, layers));
            line(md, f("- each request: %d prompt tokens, %d new tokens, greedy; median of %d interleaved rounds", promptLen,
                    tokens, rounds));
            line(md, "");

            int[] prompt = new int[promptLen];
            SplittableRandom random = new SplittableRandom(5);
            prompt[0] = 1;
            for (int i = 1; i < promptLen; i++) {
                prompt[i] = 3 + random.nextInt(VOCAB - 3);
            }
            try (ServingModel serving = ServingModel.load(base, BasePrecision.DENSE, "cpu");
                 ServingModel merged = ServingModel.loadMerged(base, loras.get(0), "cpu");
                 Decoder decoder = serving.decoder(new DecoderOptions(16, 16 * (promptLen + tokens)));
                 Decoder mergedDecoder = merged.decoder(new DecoderOptions(1, promptLen + tokens))) {
                List<ServedAdapter> adapters = new ArrayList<>();
                for (int i = 0; i < loras.size(); i++) {
                    adapters.add(serving.loadAdapter("lora-" + i, loras.get(i)));
                }
                ServedAdapter houlsby = serving.loadAdapter("houlsby", bottleneck);

                Map<String, List<double[]>> single = new LinkedHashMap<>();
                Map<String, List<Double>> aggregate = new LinkedHashMap<>();
                List<Double> coldTtft = new ArrayList<>();
                // one warm-up pass of everything, not recorded
                for (int round = -1; round < rounds; round++) {
                    boolean record = round >= 0;
                    record(single, "base", record, one(decoder, prompt, null, tokens));
                    record(single, "merged LoRA", record, one(mergedDecoder, prompt, null, tokens));
                    record(single, "unmerged LoRA", record, one(decoder, prompt, adapters.get(0), tokens));
                    record(single, "bottleneck (Houlsby)", record, one(decoder, prompt, houlsby, tokens));
                    for (int c : new int[] {1, 4, 8, 16}) {
                        List<ServedAdapter> same = new ArrayList<>();
                        List<ServedAdapter> distinct = new ArrayList<>();
                        for (int i = 0; i < c; i++) {
                            same.add(adapters.get(0));
                            distinct.add(adapters.get(i));
                        }
                        double sameRate = concurrent(decoder, prompt, same, tokens);
                        double distinctRate = concurrent(decoder, prompt, distinct, tokens);
                        if (record) {
                            aggregate.computeIfAbsent(c + " on one adapter", k -> new ArrayList<>()).add(sameRate);
                            aggregate.computeIfAbsent(c + " on " + c + " distinct adapters", k -> new ArrayList<>())
                                    .add(distinctRate);
                        }
                    }
                    long start = System.nanoTime();
                    ServedAdapter cold = serving.loadAdapter("cold", loras.get(1));
                    double[] coldRun = one(decoder, prompt, cold, 1);
                    serving.unloadAdapter(cold);
                    if (record) {
                        coldTtft.add((System.nanoTime() - start) / 1e6 - coldRun[2] + coldRun[1]);
                    }
                }

                line(md, "## Decode, one request");
                line(md, "");
                line(md, "| case | decode tok/s | ratio to base (median of per-round ratios) | time to first token (warm) |");
                line(md, "|---|---:|---:|---:|");
                List<double[]> baseRounds = single.get("base");
                for (var e : single.entrySet()) {
                    double rate = median(e.getValue(), 0);
                    List<Double> ratios = new ArrayList<>();
                    for (int i = 0; i < e.getValue().size(); i++) {
                        ratios.add(e.getValue().get(i)[0] / baseRounds.get(i)[0]);
                    }
                    line(md, f("| %s | %.1f | %.3f | %.1f ms |", e.getKey(), rate, medianOf(ratios), median(e.getValue(), 1)));
                }
                line(md, f("| unmerged LoRA, cold (adapter loaded from its directory, then first token) | | | %.1f ms |",
                        medianOf(coldTtft)));
                line(md, "");
                line(md, "## Aggregate throughput, concurrent requests (continuous batching)");
                line(md, "");
                line(md, "| requests | tok/s | per request | distinct / one adapter (median of per-round ratios) |");
                line(md, "|---|---:|---:|---:|");
                for (int c : new int[] {1, 4, 8, 16}) {
                    List<Double> oneRounds = aggregate.get(c + " on one adapter");
                    List<Double> manyRounds = aggregate.get(c + " on " + c + " distinct adapters");
                    double one = medianOf(oneRounds);
                    double many = medianOf(manyRounds);
                    List<Double> ratios = new ArrayList<>();
                    for (int i = 0; i < oneRounds.size(); i++) {
                        ratios.add(manyRounds.get(i) / oneRounds.get(i));
                    }
                    line(md, f("| %d on one adapter | %.1f | %.1f | |", c, one, one / c));
                    line(md, f("| %d on %d distinct adapters | %.1f | %.1f | %.3f |", c, c, many, many / c, medianOf(ratios)));
                }
                line(md, "");
                String python = System.getProperty("serve.python");
                if (python != null && !python.isBlank()) {
                    huggingFace(md, python, base, loras.get(0), prompt, tokens, rounds, single);
                }
            }
            Path out = Path.of(System.getProperty("serve.out", "target/bench/serving-bench.md"));
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, md);
            return md.toString();
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Hugging Face {@code generate} on the same checkpoint and LoRA ({@code scripts/hf_generate_bench.py}), run in
     * this benchmark right after the engine's rounds, with the same number of threads: decode tokens/s, and the time
     * to the first token (the prompt's prefill) as a speed ratio (HF's time over the engine's).
     */
    private static void huggingFace(StringBuilder md, String python, Path base, Path lora, int[] prompt, int tokens,
                                    int rounds, Map<String, List<double[]>> engine) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, Path.of("scripts/hf_generate_bench.py").toString(),
                "--model", base.toString(), "--adapter", lora.toString(), "--tokens", Integer.toString(tokens),
                "--rounds", Integer.toString(rounds), "--threads",
                Integer.toString(ai.djl.pytorch.jni.JniUtils.getNumThreads()), "--prompt",
                String.join(",", Arrays.stream(prompt).mapToObj(Integer::toString).toList())));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            line(md, "Hugging Face comparison failed: " + String.join(" ", command));
            return;
        }
        line(md, "## Hugging Face generate, same checkpoint and LoRA, one request (run right after)");
        line(md, "");
        line(md, "| case | HF decode tok/s | engine decode tok/s | engine / HF | HF first token | engine first token (warm) "
                + "| prefill speed, engine / HF |");
        line(md, "|---|---:|---:|---:|---:|---:|---:|");
        Map<String, String> engineCase = Map.of("HF generate: base", "base", "HF generate: merged LoRA", "merged LoRA",
                "HF generate: unmerged LoRA (PEFT)", "unmerged LoRA");
        for (String json : out.strip().split("\n")) {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            String name = node.path("case").asText();
            double hf = node.path("tokens_per_second").asDouble();
            double ours = median(engine.get(engineCase.get(name)), 0);
            double hfFirst = node.path("first_token_ms").asDouble();
            double ourFirst = median(engine.get(engineCase.get(name)), 1);
            line(md, f("| %s | %.1f | %.1f | %.2f | %.1f ms | %.1f ms | %.2f |", name, hf, ours, ours / hf, hfFirst, ourFirst,
                    hfFirst / ourFirst));
        }
        line(md, "");
    }

    private static void record(Map<String, List<double[]>> into, String name, boolean record, double[] value) {
        if (record) {
            into.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
    }

    /** One request alone: {decode tok/s after the first token, ms to the first token, total ms}. */
    static double[] one(Decoder decoder, int[] prompt, ServedAdapter adapter, int tokens) throws Exception {
        Timed sink = new Timed();
        long start = System.nanoTime();
        sink.start = start;
        decoder.submit(GenerationRequest.greedy(prompt, adapter, tokens), sink);
        sink.done.get(10, TimeUnit.MINUTES);
        double decodeSeconds = (sink.end - sink.first) / 1e9;
        double rate = sink.tokens > 1 ? (sink.tokens - 1) / decodeSeconds : Double.NaN;
        return new double[] {rate, (sink.first - start) / 1e6, (sink.end - start) / 1e6};
    }

    /** Requests submitted at once, one per adapter in the list: generated tokens / wall time. */
    static double concurrent(Decoder decoder, int[] prompt, List<ServedAdapter> adapters, int tokens) throws Exception {
        List<Timed> sinks = new ArrayList<>();
        long start = System.nanoTime();
        for (ServedAdapter a : adapters) {
            Timed sink = new Timed();
            decoder.submit(GenerationRequest.greedy(prompt, a, tokens), sink);
            sinks.add(sink);
        }
        long total = 0;
        long end = start;
        for (Timed sink : sinks) {
            sink.done.get(10, TimeUnit.MINUTES);
            total += sink.tokens;
            end = Math.max(end, sink.end);
        }
        return total / ((end - start) / 1e9);
    }

    static final class Timed implements TokenSink {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        long start;
        volatile long first;
        volatile long end;
        volatile int tokens;

        @Override
        public void onToken(int tokenId) {
            if (tokens++ == 0) {
                first = System.nanoTime();
            }
        }

        @Override
        public void onText(String delta) {}

        @Override
        public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
            end = System.nanoTime();
            done.complete(null);
        }

        @Override
        public void onError(Exception error) {
            done.completeExceptionally(error);
        }
    }

    /** A random checkpoint with the tinystories tokenizer; the EOS row of the head is zero so no request stops early. */
    public static void writeCheckpoint(LlamaConfig c, Path dir, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        tensors.put("model.embed_tokens.weight", normal(random, c.vocabSize(), h));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            tensors.put(p + "input_layernorm.weight", ones(h));
            tensors.put(p + "post_attention_layernorm.weight", ones(h));
            tensors.put(p + "self_attn.q_proj.weight", normal(random, q, h));
            tensors.put(p + "self_attn.k_proj.weight", normal(random, kv, h));
            tensors.put(p + "self_attn.v_proj.weight", normal(random, kv, h));
            tensors.put(p + "self_attn.o_proj.weight", normal(random, h, q));
            tensors.put(p + "mlp.gate_proj.weight", normal(random, inter, h));
            tensors.put(p + "mlp.up_proj.weight", normal(random, inter, h));
            tensors.put(p + "mlp.down_proj.weight", normal(random, h, inter));
        }
        tensors.put("model.norm.weight", ones(h));
        HostTensor head = normal(random, c.vocabSize(), h);
        Arrays.fill(head.data(), 2 * (int) h, 3 * (int) h, 0f);
        tensors.put("lm_head.weight", head);
        HfCheckpointWriter.write(dir, c, tensors, Samples.tinystories());
    }

    private static HostTensor normal(SplittableRandom random, long rows, long cols) {
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * 0.02);
        }
        return new HostTensor(new long[] {rows, cols}, v);
    }

    private static HostTensor ones(long n) {
        float[] v = new float[Math.toIntExact(n)];
        Arrays.fill(v, 1f);
        return new HostTensor(new long[] {n}, v);
    }

    /** {@code count} random LoRA adapters (B non-zero, so the update is real work) and one Houlsby adapter. */
    static void writeAdapters(Path base, Path work, int rank, int count, List<Path> loras, Path bottleneck) {
        try (NDManager manager = EngineRuntime.newManager("cpu")) {
            LlamaModel model = Fixtures.load(base, manager, ModelOptions.dense());
            BaseModelRef ref = BaseModelRef.of("bench-base", model);
            for (int i = 0; i < count; i++) {
                try (LoraAdapter lora = LoraAdapter.attach(model, LoraConfig.of(rank, 2 * rank, 0.0, List.of("all-linear")), i)) {
                    int n = 0;
                    for (var layer : lora.layers().values()) {
                        Fixtures.randomize(layer.loraB(), 1000L * i + n++, 0.01f);
                    }
                    Path dir = work.resolve("lora-" + i);
                    lora.save(dir, ref);
                    loras.add(dir);
                }
            }
            try (BottleneckAdapter adapter = BottleneckAdapter.attach(model, BottleneckConfig.houlsby(), 3)) {
                adapter.save(bottleneck, ref);
            }
            model.close();
        }
    }

    private static double median(List<double[]> values, int index) {
        return medianOf(values.stream().map(v -> v[index]).toList());
    }

    private static double medianOf(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static void line(StringBuilder md, String text) {
        md.append(text).append('\n');
    }
}
