package dev.finetune.engine.model;

import ai.djl.ndarray.NDManager;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.runtime.EngineRuntime;
import java.nio.file.Path;

/**
 * Child-JVM entry point for {@link StreamedLoadTest}: loads a checkpoint ({@code dense} or {@code nf4},
 * {@code streamed} or {@code host} path) and prints {@code loaded <mode> <frozen bytes>}.
 */
public final class LoadProbe {

    private LoadProbe() {}

    public static void main(String[] args) {
        EngineRuntime.init();
        ModelOptions options = args[1].equals("nf4") ? ModelOptions.of(Nf4Storage.DEFAULT) : ModelOptions.dense();
        try (NDManager manager = EngineRuntime.newManager("cpu"); HfCheckpoint ckpt = HfCheckpoint.open(Path.of(args[0]))) {
            LlamaModel model = args[2].equals("host")
                    ? ModelLoader.loadWidenedOnHost(ckpt, manager, options)
                    : ModelLoader.load(ckpt, manager, options);
            System.out.println("loaded " + args[1] + " " + model.frozenWeightBytes());
            model.close();
        }
    }
}
