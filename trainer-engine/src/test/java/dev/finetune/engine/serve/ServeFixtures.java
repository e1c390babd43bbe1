package dev.finetune.engine.serve;

import dev.finetune.data.EncoderOptions;
import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.recipe.FineTuneSession;
import dev.finetune.engine.recipe.FineTuneSpec;
import dev.finetune.engine.testing.Samples;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.settings.FineTuningMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Adapters trained for a few steps on the bundled tinystories checkpoint and data (once per test JVM), next to
 * the DoRA adapters in samples/adapters: two LoRAs of different ranks and targets, a QLoRA, a Houlsby bottleneck.
 */
final class ServeFixtures {

    private static Path root;

    private ServeFixtures() {}

    static synchronized Path dir() {
        if (root == null) {
            try {
                root = Files.createTempDirectory("serve-adapters");
                Path dir = root;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            train("lora-all", FineTuningMethod.LORA, LoraConfig.of(8, 16, 0.0, List.of("all-linear")), null, 20, 5e-3, 42);
            train("lora-qv", FineTuningMethod.LORA, LoraConfig.of(4, 8, 0.0, List.of("q_proj", "v_proj")), null, 20, 8e-3, 7);
            train("qlora", FineTuningMethod.QLORA, LoraConfig.of(8, 16, 0.0, List.of("all-linear")), null, 20, 5e-3, 3);
            train("houlsby", FineTuningMethod.ADAPTER, null, BottleneckConfig.houlsby().withReductionFactor(8), 20, 5e-3, 5);
        }
        return root;
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    static Path lora() {
        return dir().resolve("lora-all");
    }

    static Path loraQv() {
        return dir().resolve("lora-qv");
    }

    static Path qlora() {
        return dir().resolve("qlora");
    }

    static Path houlsby() {
        return dir().resolve("houlsby");
    }

    static Path doraPeft() {
        return Samples.root().resolve("adapters/tinystories-656k-dora-peft");
    }

    static Path doraJava() {
        return Samples.root().resolve("adapters/tinystories-656k-dora-java");
    }

    private static void train(String name, FineTuningMethod method, LoraConfig lora, BottleneckConfig bottleneck,
                              int steps, double lr, long seed) {
        TrainingConfig training = TrainingConfig.defaults().toBuilder().seed(seed).build()
                .withMaxSteps(steps).withLearningRate(lr).withBatch(4, 1).withEval(0, 0);
        FineTuneSpec.Builder spec = FineTuneSpec.builder(Samples.tinystories(),
                Samples.dataset("llamafactory_identity.json"), method)
                .encoder(new EncoderOptions(128, false, true)).evalFraction(0).training(training);
        if (lora != null) {
            spec.lora(lora);
        }
        if (bottleneck != null) {
            spec.bottleneck(bottleneck);
        }
        try (FineTuneSession session = FineTuneSession.open(spec.build())) {
            session.runToEnd();
            session.saveAdapter(root.resolve(name));
        }
    }
}
