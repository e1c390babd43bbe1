package dev.finetune.engine.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.model.WeightStorage;
import dev.finetune.engine.recipe.AdapterInference;
import dev.finetune.engine.testing.Samples;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A QLoRA adapter served on the NF4 base it was trained on answers exactly as the engine's generation on that
 * precision (which now picks NF4 for a QLoRA adapter by itself); served on a dense base, as the dense generation.
 */
class Nf4ServingTest {

    static final String PROMPT = "Once upon a time";
    static final int TOKENS = 24;

    static int[] reference(Path adapter, WeightStorage storage) {
        try (AdapterInference inference = AdapterInference.open(Samples.tinystories(), adapter, "cpu", storage)) {
            return inference.generate(PROMPT, SamplingOptions.greedy(TOKENS), false).tokenIds();
        }
    }

    @Test
    void aQloraAdapterOnTheNf4BaseEqualsTheEnginesNf4Generation() throws Exception {
        Path qlora = ServeFixtures.qlora();
        assertThat(BasePrecision.trainedFor(qlora)).isEqualTo(BasePrecision.NF4);
        assertThat(BasePrecision.trainedFor(ServeFixtures.lora())).isEqualTo(BasePrecision.DENSE);
        int[] auto;
        try (AdapterInference inference = AdapterInference.open(Samples.tinystories(), qlora, "cpu")) {
            assertThat(inference.baseWeights().weights().name()).isEqualTo("nf4");
            auto = inference.generate(PROMPT, SamplingOptions.greedy(TOKENS), false).tokenIds();
        }
        int[] nf4Base = reference(null, AdapterMethodsNf4.storage());
        int[] nf4Lora = reference(ServeFixtures.lora(), AdapterMethodsNf4.storage());
        int[] denseQlora = reference(qlora, WeightStorage.DENSE);

        try (ServingModel nf4 = ServingModel.load(Samples.tinystories(), BasePrecision.NF4, "cpu");
             Decoder decoder = nf4.decoder(new DecoderOptions(8, 4096))) {
            assertThat(nf4.precision()).isEqualTo(BasePrecision.NF4);
            ServedAdapter adapter = nf4.loadAdapter("qlora", qlora);
            ServedAdapter lora = nf4.loadAdapter("lora", ServeFixtures.lora());
            List<Collector> sinks = new ArrayList<>();
            for (ServedAdapter a : new ServedAdapter[] {adapter, null, lora, adapter}) {
                Collector sink = new Collector();
                decoder.submit(GenerationRequest.greedy(nf4.encodePrompt(PROMPT), a, TOKENS), sink);
                sinks.add(sink);
            }
            assertThat(sinks.get(0).await().ids()).isEqualTo(auto);
            assertThat(sinks.get(1).await().ids()).isEqualTo(nf4Base);
            assertThat(sinks.get(2).await().ids()).isEqualTo(nf4Lora);
            assertThat(sinks.get(3).await().ids()).isEqualTo(auto);
        }
        try (ServingModel dense = ServingModel.load(Samples.tinystories(), BasePrecision.DENSE, "cpu");
             Decoder decoder = dense.decoder(new DecoderOptions(8, 4096))) {
            Collector sink = new Collector();
            decoder.submit(GenerationRequest.greedy(dense.encodePrompt(PROMPT), dense.loadAdapter("qlora", qlora), TOKENS),
                    sink);
            assertThat(sink.await().ids()).isEqualTo(denseQlora);
        }
    }

    /** The NF4 storage QLoRA trains with. */
    static final class AdapterMethodsNf4 {
        static WeightStorage storage() {
            return dev.finetune.engine.method.AdapterMethods.of(dev.finetune.settings.FineTuningMethod.QLORA).baseWeights();
        }
    }
}
