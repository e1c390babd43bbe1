package dev.finetune.engine.bench;

import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.engine.quant.Nf4Options;
import dev.finetune.engine.quant.Nf4Tensor;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Samples;
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
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The engine benchmark: fp32 matmul peak, LoRA/QLoRA training throughput in model FLOPs and peak
 * memory on a randomly initialised Llama of realistic width, NF4 storage cost, and NF4 vs int4
 * reconstruction error on the bundled real checkpoints. Prints a Markdown report and writes it to
 * {@code target/bench/engine-bench.md} (or {@code -Dbench.out}). Targets are reported as PASS/MISS,
 * never enforced: the figures depend on the machine and on what else runs on it.
 *
 * <p>Run with {@code ./mvnw -pl trainer-engine -am test -Dgroups=bench -Dsurefire.excludedGroups=
 * -Dtest=EngineBench*} (see docs/BENCHMARKS.md), or directly with {@code java -cp <test classpath>
 * dev.finetune.engine.bench.EngineBench}.
 */
public final class EngineBench {

    static final double QLORA_MEMORY_TARGET = 0.35;

    private EngineBench() {}

    public static void main(String[] args) {
        System.out.println(run(BenchSettings.fromSystemProperties()));
    }

    /** Runs everything and returns the report (also written to the output file). */
    static String run(BenchSettings s) {
        EngineRuntime.init();
        long started = System.nanoTime();
        StringBuilder md = new StringBuilder();
        LlamaConfig config = s.config();
        line(md, "# Engine benchmark");
        line(md, "");
        line(md, "- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        line(md, "- machine: " + Runtime.getRuntime().availableProcessors() + " CPU(s) visible to the JVM, "
                + cpuModel() + ", libtorch intra-op threads " + ai.djl.pytorch.jni.JniUtils.getNumThreads()
                + "; " + "Java " + System.getProperty("java.version"));
        line(md, "- model: " + s.describe());
        line(md, "- " + ModelFlops.FORMULA);
        line(md, "");

        // 1. matmul peak
        List<MatmulPeak.Result> peaks = new ArrayList<>();
        for (int n : new int[] {1024, 2048}) {
            peaks.add(MatmulPeak.measure(n, n == 1024 ? 10 : 5));
        }
        double firstPeak = peaks.stream().mapToDouble(MatmulPeak.Result::bestGflops).max().orElseThrow();
        line(md, "## 1. fp32 matmul peak (this JVM, libtorch)");
        line(md, "");
        line(md, "| size | best ms | best GFLOP/s | mean GFLOP/s |");
        line(md, "|---|---:|---:|---:|");
        for (MatmulPeak.Result p : peaks) {
            line(md, f("| %dx%dx%d | %.1f | %.1f | %.1f |", p.n(), p.n(), p.n(), p.bestMillis(), p.bestGflops(),
                    p.meanGflops()));
        }
        line(md, "");
        System.out.print(md);
        double peak = firstPeak;

        // 2. training cases
        // with a Python that has torch, transformers and peft, each case is followed by its Hugging Face peer,
        // so ours and theirs run back to back under the same load
        String python = System.getProperty("bench.python", "");
        int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        List<CaseResult> results = new ArrayList<>();
        Map<String, HfPeer.Result> peers = new LinkedHashMap<>();
        for (String id : s.cases()) {
            BenchCase c = BenchCase.byId(id);
            System.out.println("running case " + c.label + (s.fork() ? " in a child JVM" : " in this JVM") + " ...");
            results.add(s.fork() ? forked(c, s) : CaseRunner.run(c, s));
            if (!python.isEmpty()) {
                System.out.println("running its Hugging Face peer (" + HfPeer.script() + ", checkpointing "
                        + c.recompute + ") ...");
                HfPeer.Result peer = HfPeer.run(python, s, c.recompute, threads);
                System.out.println(peer.error() == null
                        ? f("[bench hf] %s: steps %s ms", peer.label(), peer.stepMillis()) : "[bench hf] " + peer.error());
                peers.put(c.id, peer);
            }
        }
        List<OpProfile.Op> ops = Boolean.getBoolean("bench.skipOps") ? List.of() : OpProfile.measure(s);
        // a peak is the best the machine did: other helpers' builds only ever push measurements down
        for (CaseResult r : results) {
            peak = Math.max(peak, r.caseMatmulBestGflops);
        }
        for (OpProfile.Op op : ops) {
            if (op.millis() == 1000) {
                peak = Math.max(peak, op.gflop());
            }
        }
        line(md, f("Peak used as the denominator of every utilisation below: **%.1f GFLOP/s**, the best 2048^3 or 1024^3 "
                + "matmul rate measured anywhere in this run (here, in each case's JVM, before the op profile).", peak));
        line(md, "");
        trainingSection(md, s, config, peak, results);
        if (!peers.isEmpty()) {
            peerSection(md, s, config, peak, results, peers);
        }

        // 3. bits per parameter
        bitsSection(md, config, results);

        // 4. quantization error on real checkpoints
        line(md, "## 4. NF4 vs int4-absmax reconstruction error on real checkpoints");
        line(md, "");
        line(md, "All 2-D `*_proj.weight` tensors of each checkpoint, errors aggregated over every element "
                + "(relative L2 = ||W - Q(W)|| / ||W||). int4 absmax: symmetric levels -7..7, block 64, fp32 scale.");
        line(md, "");
        line(md, "| checkpoint | format | tensors | params | relative L2 | RMSE | max abs | bits/param |");
        line(md, "|---|---|---:|---:|---:|---:|---:|---:|");
        List<String> verdicts = new ArrayList<>();
        for (String[] ck : new String[][] {{"tinystories-656k", Samples.tinystories().toString()},
            {"stories260k", Samples.stories260k().toString()}}) {
            List<QuantErrorBench.Row> rows = QuantErrorBench.measure(ck[0], Path.of(ck[1]));
            for (QuantErrorBench.Row r : rows) {
                line(md, f("| %s | %s | %d | %d | %.5f | %.3e | %.3e | %.3f |", r.checkpoint(), r.format(), r.tensors(),
                        r.params(), r.relativeL2(), r.rmse(), r.maxAbs(), r.bitsPerParam()));
            }
            QuantErrorBench.Row nf4 = rows.get(0);
            QuantErrorBench.Row int4 = rows.get(2);
            verdicts.add(f("- %s: NF4 (double quant) relative L2 %.5f vs int4 %.5f: NF4 is %s (%.1f%% %s)", ck[0],
                    nf4.relativeL2(), int4.relativeL2(), nf4.relativeL2() < int4.relativeL2() ? "LOWER, PASS" : "NOT lower, MISS",
                    100 * Math.abs(1 - nf4.relativeL2() / int4.relativeL2()),
                    nf4.relativeL2() < int4.relativeL2() ? "less error" : "more error"));
        }
        line(md, "");
        verdicts.forEach(v -> line(md, v));
        line(md, "");

        // 5. profiles
        phaseSection(md, results);
        if (!ops.isEmpty()) {
            opSection(md, ops, peak);
        }
        line(md, f("_Benchmark wall time: %.0f s._", (System.nanoTime() - started) / 1e9));
        String report = md.toString();
        write(report);
        return report;
    }

    private static void trainingSection(StringBuilder md, BenchSettings s, LlamaConfig config, double peak,
                                        List<CaseResult> results) {
        line(md, "## 2. LoRA / QLoRA training step");
        line(md, "");
        CaseResult any = results.get(0);
        ModelFlops flops = ModelFlops.of(config, any.loraParams, s.batch(), s.seq());
        line(md, f("N_frozen = %.1f M matmul params (7 projections x %d layers + lm_head %.1f M), N_lora = %.2f M, "
                        + "tokens/step = %d.", flops.frozenMatmulParams() / 1e6, config.numHiddenLayers(),
                (double) config.vocabSize() * config.hiddenSize() / 1e6, any.loraParams / 1e6, any.tokensPerStep));
        line(md, f("Model FLOPs/step = %.1f GFLOP (frozen 4N: %.1f, LoRA 6N: %.1f, attention: %.1f). "
                        + "Recomputation is not counted, so a recomputing case shows the utilisation the user gets.",
                flops.perStep() / 1e9, flops.frozenPart() / 1e9, flops.loraPart() / 1e9, flops.attentionPart() / 1e9));
        line(md, "");
        line(md, "| case | step ms (best / median) | tokens/s | model GFLOP/s | % of peak | target | matmul GFLOP/s in case JVM "
                + "| frozen weights MB | RSS idle MB | RSS loaded MB | RSS peak MB | peak - idle MB | loss first -> last |");
        line(md, "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|");
        CaseResult lora = null;
        for (CaseResult r : results) {
            if (r.caseId.equals(BenchCase.LORA_FP32.id)) {
                lora = r;
            }
        }
        for (CaseResult r : results) {
            BenchCase c = BenchCase.byId(r.caseId);
            double ms = r.bestStepMillis();
            double gflops = flops.perStep() / 1e9 / (ms / 1e3);
            double util = gflops / peak;
            boolean contended = r.caseMatmulGflops < 0.75 * peak;
            line(md, f("| %s | %.0f / %.0f | %.0f | %.1f | %.1f%% | >= %.0f%%: %s | %.1f%s | %.1f | %.0f | %.0f | %.0f | %.0f | %.3f -> %.3f |",
                    c.label, ms, r.medianStepMillis(), r.tokensPerStep / (ms / 1e3), gflops, 100 * util, 100 * c.targetUtilisation,
                    util >= c.targetUtilisation ? "PASS" : "MISS", r.caseMatmulGflops, contended ? " (contended!)" : "",
                    r.frozenWeightBytes / 1e6, r.idleRss / 1e6, r.loadedRss / 1e6, r.peakRss / 1e6,
                    (r.peakRss - r.idleRss) / 1e6, r.losses.get(0),
                    r.losses.get(r.losses.size() - 1)));
        }
        line(md, "");
        line(md, "tokens/s, model GFLOP/s and % of peak use the best timed step (the machine is shared; the best step "
                + "is the one least disturbed). Step times of every timed step (ms): " + String.join("; ", results.stream()
                .map(r -> r.caseId + " " + r.stepMillis.stream().map(v -> f("%.0f", v)).toList()).toList()));
        line(md, "");
        line(md, "matmul GFLOP/s in case JVM: the lower of a 2048^3 matmul before and after the case's steps; "
                + "\"contended\" (< 75% of the peak above) means another process took CPU during the case and its "
                + "figures understate the engine.");
        line(md, "");
        line(md, "Memory: each case runs in a fresh JVM (-Xmx2g, serial GC"
                + (Boolean.getBoolean("bench.defaultMalloc") ? "" : ", MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=0 "
                + "so that RSS follows live tensors") + "); RSS idle = after engine init and one "
                + "small op, before the model exists (JVM + libtorch); RSS loaded = after building the model and "
                + "adapter and a GC (model + Java heap left from random init); RSS peak = " + any.memoryMethod
                + " over the training steps (model resident + activations + transient dequantized weights + Java heap). "
                + "Comparisons use peak - idle, the memory the training itself adds.");
        line(md, "");
        for (CaseResult r : results) {
            line(md, f("- %s: peak - loaded = %.0f MB (activations, autograd state, transient dequantized weights; "
                    + "Java heap committed at the end %.0f MB)", BenchCase.byId(r.caseId).label,
                    (r.peakRss - r.loadedRss) / 1e6, r.heapCommitted / 1e6));
        }
        if (lora != null) {
            double loraMem = lora.peakRss - lora.idleRss;
            for (CaseResult r : results) {
                BenchCase c = BenchCase.byId(r.caseId);
                if (!c.nf4) {
                    continue;
                }
                double ratio = (r.peakRss - r.idleRss) / loraMem;
                double rawRatio = (double) r.peakRss / lora.peakRss;
                line(md, f("- %s peak memory = %.1f%% of LoRA-fp32's (target <= %.0f%%: %s); whole-process RSS ratio %.1f%%; "
                                + "frozen weights %.1f%% of fp32's, of which embedding + lm_head (float16, ModelOptions.halfEmbeddings) %.0f MB",
                        c.label, 100 * ratio, 100 * QLORA_MEMORY_TARGET, ratio <= QLORA_MEMORY_TARGET ? "PASS" : "MISS",
                        100 * rawRatio, 100.0 * r.frozenWeightBytes / lora.frozenWeightBytes, r.embeddingAndHeadBytes / 1e6));
            }
            line(md, "");
        }
    }

    private static void peerSection(StringBuilder md, BenchSettings s, LlamaConfig config, double peak,
                                    List<CaseResult> results, Map<String, HfPeer.Result> peers) {
        line(md, "## 2b. Ours against Hugging Face PEFT (same shape, same LoRA settings, same threads)");
        line(md, "");
        ModelFlops flops = ModelFlops.of(config, results.get(0).loraParams, s.batch(), s.seq());
        line(md, "Each engine case is followed by its peer (`trainer-engine/scripts/hf_train_bench.py`: random "
                + "`LlamaForCausalLM` fp32, SDPA attention, `peft.get_peft_model`, AdamW, clipping at 1.0; gradient "
                + "checkpointing for the recomputing cases) in its own process. ours / theirs = HF step time / our "
                + "step time (above 1: we are faster), from the best timed step of each, and from the medians.");
        line(md, "");
        line(md, "| case | ours ms (best / median) | peer | theirs ms (best / median) | ours / theirs (best) "
                + "| ours / theirs (median) | target | ours % of peak | theirs % of peak | ours peak - idle MB "
                + "| theirs peak - idle MB | theirs loss first -> last |");
        line(md, "|---|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---|");
        String versions = "";
        for (CaseResult r : results) {
            HfPeer.Result p = peers.get(r.caseId);
            if (p == null) {
                continue;
            }
            BenchCase c = BenchCase.byId(r.caseId);
            if (p.error() != null) {
                line(md, f("| %s | %.0f / %.0f | %s | failed: %s | | | | | | | | |", c.label, r.bestStepMillis(),
                        r.medianStepMillis(), p.label(), p.error()));
                continue;
            }
            versions = p.versions();
            double best = p.bestStepMillis() / r.bestStepMillis();
            double median = p.medianStepMillis() / r.medianStepMillis();
            String target = Double.isNaN(c.targetVsPeer) ? "" : f(">= %.1fx: %s", c.targetVsPeer,
                    best >= c.targetVsPeer ? "PASS" : "MISS");
            line(md, f("| %s | %.0f / %.0f | %s | %.0f / %.0f | **%.2fx** | %.2fx | %s | %.1f%% | %.1f%% | %.0f | %.0f "
                            + "| %.3f -> %.3f |", c.label, r.bestStepMillis(), r.medianStepMillis(), p.label(),
                    p.bestStepMillis(), p.medianStepMillis(), best, median, target,
                    100 * flops.perStep() / 1e9 / (r.bestStepMillis() / 1e3) / peak,
                    100 * flops.perStep() / 1e9 / (p.bestStepMillis() / 1e3) / peak,
                    (r.peakRss - r.idleRss) / 1e6, (p.peakRss() - p.idleRss()) / 1e6, p.losses().get(0),
                    p.losses().get(p.losses().size() - 1)));
        }
        line(md, "");
        line(md, "Peer: " + versions + "; threads " + ai.djl.pytorch.jni.JniUtils.getNumThreads()
                + ". Step times of every timed step (ms): " + String.join("; ", peers.entrySet().stream()
                .filter(e -> e.getValue().error() == null)
                .map(e -> "after " + e.getKey() + " " + e.getValue().stepMillis().stream().map(v -> f("%.0f", v)).toList())
                .toList()));
        line(md, "");
    }

    private static void bitsSection(StringBuilder md, LlamaConfig c, List<CaseResult> results) {
        line(md, "## 3. Bits per frozen parameter (NF4)");
        line(md, "");
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        long[][] shapes = {{q, h}, {kv, h}, {kv, h}, {h, q}, {inter, h}, {inter, h}, {h, inter}};
        long bytes = 0;
        long params = 0;
        SplittableRandom random = new SplittableRandom(3);
        StringBuilder perTensor = new StringBuilder();
        for (long[] shape : shapes) {
            float[] w = new float[Math.toIntExact(shape[0] * shape[1])];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() * 0.02);
            }
            Nf4Tensor t = Nf4Tensor.quantize(shape, w, Nf4Options.DEFAULT);
            bytes += t.storageBytes();
            params += t.numel();
            perTensor.append(f(" %dx%d: %.4f;", shape[0], shape[1], t.bitsPerParameter()));
        }
        line(md, f("- host Nf4Tensor (codes + 8-bit absmax + fp32 second-level scales + offset), one block's 7 "
                + "projections: **%.4f bits/param** (expected 4.127 = 4 + 8/64 + 32/(64*256));%s", 8.0 * bytes / params,
                perTensor));
        for (CaseResult r : results) {
            if (BenchCase.byId(r.caseId).nf4 && r.projectionParams > 0) {
                line(md, f("- on the device (Nf4Weight.deviceBytes, all %d layers, incl. padding to whole blocks, the "
                                + "2 KB code-pair table and 1 KB dynamic map per tensor): %.4f bits/param",
                        c.numHiddenLayers(), 8.0 * r.projectionBytes / r.projectionParams));
                line(md, f("- whole frozen model (LlamaModel.frozenWeightBytes: float16 embedding and lm_head, fp32 norms, NF4 "
                                + "projections): %.1f MB = %.2f bits/param over all %.1f M frozen params",
                        r.frozenWeightBytes / 1e6, 8.0 * r.frozenWeightBytes
                                / (r.projectionParams + 2.0 * c.vocabSize() * h + h * (2L * c.numHiddenLayers() + 1)),
                        (r.projectionParams + 2.0 * c.vocabSize() * h) / 1e6));
                break;
            }
        }
        line(md, "");
    }

    private static void phaseSection(StringBuilder md, List<CaseResult> results) {
        if (results.stream().allMatch(r -> r.phaseMillis.isEmpty())) {
            return;
        }
        line(md, "## 5. Where a step's time and memory go");
        line(md, "");
        line(md, "One extra step per case, re-traced outside TrainingRun with the same model calls as ForwardBackward. "
                + "\"peak MB\" is the highest RSS reached by the end of the phase, above the RSS at the start of the "
                + "step (model already resident). Full-graph cases are also run with each block in its own NDScope "
                + "(\"[per-block scope]\", not what the engine does today, see the findings).");
        line(md, "");
        for (CaseResult r : results) {
            if (r.phaseMillis.isEmpty()) {
                continue;
            }
            for (String prefix : new String[] {"", "[per-block scope] "}) {
                Map<String, Double> times = new LinkedHashMap<>();
                r.phaseMillis.forEach((k, v) -> {
                    if (!k.startsWith("peak MB: ") && (prefix.isEmpty() ? !k.startsWith("[") : k.startsWith(prefix))) {
                        times.put(k.substring(prefix.length()), v);
                    }
                });
                if (times.isEmpty()) {
                    continue;
                }
                double total = times.values().stream().mapToDouble(Double::doubleValue).sum();
                line(md, "**" + BenchCase.byId(r.caseId).label + (prefix.isEmpty() ? "" : ", " + prefix.trim())
                        + f("** (total %.0f ms)", total));
                line(md, "");
                line(md, "| phase | ms | share | peak MB above step start |");
                line(md, "|---|---:|---:|---:|");
                times.forEach((k, v) -> line(md, f("| %s | %.0f | %.0f%% | %.0f |", k, v, 100 * v / total,
                        r.phaseMillis.getOrDefault("peak MB: " + prefix + k, Double.NaN))));
                line(md, "");
            }
        }
    }

    private static void opSection(StringBuilder md, List<OpProfile.Op> ops, double peak) {
        line(md, "### Forward op costs at the benchmark shape");
        line(md, "");
        line(md, "Each op sequence as the model code writes it, autograd off, best of 3 (ms), one decoder block unless noted:");
        line(md, "");
        line(md, "| op | ms | GFLOP/s | % of peak | note |");
        line(md, "|---|---:|---:|---:|---|");
        for (OpProfile.Op op : ops) {
            if (op.millis() == 1000) {
                line(md, f("| %s | | %.1f | %.0f%% | contention check |", op.name(), op.gflop(), 100 * op.gflop() / peak));
                continue;
            }
            line(md, op.gflop() > 0
                    ? f("| %s | %.1f | %.1f | %.0f%% | %s |", op.name(), op.millis(), op.gflops(), 100 * op.gflops() / peak,
                            op.note())
                    : f("| %s | %.1f | | | %s |", op.name(), op.millis(), op.note()));
        }
        line(md, "");
    }

    /** Runs one case in a child JVM with the test classpath, relaying its output. */
    private static CaseResult forked(BenchCase c, BenchSettings s) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx2g");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dai.djl.offline=true");
        cmd.addAll(s.asJvmArgs());
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(CaseRunner.class.getName());
        cmd.add(c.id);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
            if (!Boolean.getBoolean("bench.defaultMalloc")) {
                // freed tensors go straight back to the OS, so RSS follows live memory instead of glibc's
                // high-water mark of earlier steps (costs a few % of step time: fresh pages are zeroed)
                pb.environment().put("MALLOC_MMAP_THRESHOLD_", "131072");
                pb.environment().put("MALLOC_TRIM_THRESHOLD_", "0");
            }
            Process p = pb.start();
            Thread err = new Thread(() -> relay(p.getErrorStream()), "bench-child-stderr");
            err.start();
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            }
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("bench child for " + c.id + " failed (exit "
                        + (p.isAlive() ? "timeout" : p.exitValue()) + "): " + String.join("\n", lines));
            }
            err.join();
            return CaseResult.parse(lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void relay(java.io.InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.startsWith("[bench")) {
                    System.out.println(l);
                }
            }
        } catch (IOException ignored) {
            // child gone
        }
    }

    private static void write(String report) {
        Path out = Path.of(System.getProperty("bench.out",
                Path.of(System.getProperty("basedir", "."), "target", "bench", "engine-bench.md").toString()));
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
            System.out.println("report written to " + out.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return "unknown CPU";
        }
    }

    private static void line(StringBuilder md, String s) {
        md.append(s).append('\n');
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
