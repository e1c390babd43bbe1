package dev.finetune.engine.bench;

import ai.djl.ndarray.NDManager;
import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.data.PackedSequence;
import dev.finetune.engine.lora.LoraAdapter;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.model.DecoderLayer;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelLoader;
import dev.finetune.engine.model.Projection;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.engine.train.TrainingData;
import dev.finetune.engine.train.TrainingListener;
import dev.finetune.engine.train.TrainingProgress;
import dev.finetune.engine.train.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs one {@link BenchCase} on a randomly initialised model through the real {@link TrainingRun}.
 * Meant to run in a JVM of its own (see {@link #main}) so that its peak RSS is not polluted by
 * earlier cases' Java heap or malloc arenas; {@link EngineBench} forks one per case.
 */
public final class CaseRunner {

    private CaseRunner() {}

    /** {@code CaseRunner <case-id>}: prints the result as RESULT/PHASE lines on stdout. */
    public static void main(String[] args) {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        CaseResult r = run(BenchCase.byId(args[0]), settings);
        r.toLines().forEach(System.out::println);
        System.out.flush();
    }

    static CaseResult run(BenchCase bench, BenchSettings s) {
        EngineRuntime.init();
        ProcMemory memory = new ProcMemory();
        CaseResult r = new CaseResult();
        r.caseId = bench.id;
        r.memoryMethod = memory.method();
        // the engine loaded and one small op run: what the process costs before any model exists
        MatmulPeak.measure(256, 1);
        System.gc();
        r.idleRss = ProcMemory.rssBytes();
        r.caseMatmulGflops = MatmulPeak.measure(2048, 3).bestGflops();

        LlamaConfig config = s.config();
        TrainingConfig training = TrainingConfig.defaults()
                .withBatch(s.batch(), 1)
                .withMaxSteps(s.warmupSteps() + s.timedSteps())
                .withEval(0, 0)
                .withLearningRate(1e-4)
                .withBlockRecompute(bench.recompute);
        LoraConfig lora = LoraConfig.of(s.rank(), 2.0 * s.rank(), s.dropout(), s.targets());
        long t0 = System.nanoTime();
        try (NDManager manager = EngineRuntime.newManager("cpu");
             LlamaModel model = ModelLoader.random(config, manager, bench.options(), s.seed());
             LoraAdapter adapter = LoraAdapter.attach(model, lora, s.seed() + 1)) {
            r.loadSeconds = (System.nanoTime() - t0) / 1e9;
            r.frozenWeightBytes = model.frozenWeightBytes();
            for (DecoderLayer layer : model.layers()) {
                for (Projection p : layer.projections()) {
                    r.projectionBytes += p.linear().weightBytes();
                    r.projectionParams += (long) p.linear().inFeatures() * p.linear().outFeatures();
                }
            }
            r.embeddingAndHeadBytes = r.frozenWeightBytes - r.projectionBytes
                    - 4L * config.hiddenSize() * (2L * config.numHiddenLayers() + 1);
            r.loraParams = adapter.parameterCount();
            r.tokensPerStep = s.batch() * s.seq();

            TrainingData data = new TrainingData(sequences(s.batch() * (s.warmupSteps() + s.timedSteps() + 1),
                    s.seq(), config.vocabSize(), s.seed() + 2), List.of(), 0);
            List<Double> losses = new ArrayList<>();
            TrainingListener listener = new TrainingListener() {
                @Override
                public void onStep(TrainingProgress progress) {
                    losses.add(progress.loss());
                }
            };
            System.gc();
            r.loadedRss = ProcMemory.rssBytes();
            memory.resetPeak();
            try (TrainingRun run = new TrainingRun(model, adapter, data, training, listener)) {
                for (int i = 0; i < s.warmupSteps() + s.timedSteps(); i++) {
                    long start = System.nanoTime();
                    run.runSteps(1);
                    double ms = (System.nanoTime() - start) / 1e6;
                    if (i >= s.warmupSteps()) {
                        r.stepMillis.add(ms);
                    }
                    System.err.printf("[bench %s] step %d: %.0f ms, loss %.4f%n", bench.id, i + 1, ms,
                            losses.get(losses.size() - 1));
                }
            }
            r.peakRss = memory.peakBytes();
            r.heapCommitted = Runtime.getRuntime().totalMemory();
            // a second look at the machine: if another process took the cores meanwhile, this drops
            double after = MatmulPeak.measure(2048, 3).bestGflops();
            r.caseMatmulBestGflops = Math.max(r.caseMatmulGflops, after);
            r.caseMatmulGflops = Math.min(r.caseMatmulGflops, after);
            r.losses.addAll(losses);
            if (s.profileSteps() > 0) {
                r.phaseMillis.putAll(PhaseProfile.profile(model, adapter, data, bench.recompute, s.profileSteps(), memory));
            }
        } finally {
            memory.close();
        }
        return r;
    }

    /** Full-length rows of random tokens, one segment each, every token trained: no padding. */
    static List<PackedSequence> sequences(int count, int length, int vocab, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PackedSequence> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int[] ids = new int[length];
            int[] pos = new int[length];
            for (int i = 0; i < length; i++) {
                ids[i] = i == 0 ? 1 : 3 + random.nextInt(vocab - 3);
                pos[i] = i;
            }
            out.add(new PackedSequence(ids, ids.clone(), pos, new int[length]));
        }
        return out;
    }
}
