package dev.finetune.engine.bench;

import ai.djl.ndarray.NDManager;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelLoader;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.runtime.EngineRuntime;
import java.nio.file.Path;

/**
 * One {@link LoadBench} case in its own JVM: {@code <dir> <dense|nf4> <streamed|host>}. Starts the
 * engine, resets the RSS peak, loads, and prints {@code result key=value} lines for the parent.
 */
public final class LoadBenchChild {

    private LoadBenchChild() {}

    public static void main(String[] args) {
        EngineRuntime.init();
        ModelOptions options = args[1].equals("nf4") ? ModelOptions.of(Nf4Storage.DEFAULT) : ModelOptions.dense();
        boolean host = args[2].equals("host");
        ProcMemory memory = new ProcMemory();
        try (NDManager manager = EngineRuntime.newManager("cpu")) {
            System.gc();
            long before = ProcMemory.rssBytes();
            memory.resetPeak();
            long t0 = System.nanoTime();
            LlamaModel model;
            try (HfCheckpoint ckpt = HfCheckpoint.open(Path.of(args[0]))) {
                model = host ? ModelLoader.loadWidenedOnHost(ckpt, manager, options) : ModelLoader.load(ckpt, manager, options);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long peak = memory.peakBytes();
            System.out.println("result load_ms=" + ms);
            System.out.println("result rss_before=" + before);
            System.out.println("result rss_peak=" + peak);
            System.out.println("result rss_after=" + ProcMemory.rssBytes());
            System.out.println("result frozen_bytes=" + model.frozenWeightBytes());
            System.out.println("result peak_method=" + memory.method());
            model.close();
        }
    }
}
