package dev.finetune.engine.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.data.Role;
import dev.finetune.data.Turn;
import dev.finetune.engine.checkpoint.SafetensorsWriter;
import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.recipe.AdapterInference;
import dev.finetune.engine.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving on the bundled tinystories checkpoint with adapters trained for a few steps (LoRA of two ranks and
 * targets, a Houlsby bottleneck) and the two DoRA adapters of samples/adapters: every answer equals the
 * engine's own single-request generation ({@link AdapterInference}) token for token, alone and in batches
 * that mix adapters, and an adapter that does not fit is refused rather than served as the base.
 */
class ServingModelTest {

    static final int TOKENS = 24;
    static final String[] PROMPTS = {"Once upon a time", "Who are you?", "The little dog", "Tom and Sue went to the park"};

    static ServingModel serving;
    static final Map<String, ServedAdapter> adapters = new LinkedHashMap<>();
    static final Map<String, Path> dirs = new LinkedHashMap<>();
    /** (adapter name or "base", prompt index) -> AdapterInference's greedy ids. */
    static final Map<String, int[]> expected = new LinkedHashMap<>();

    @BeforeAll
    static void load() {
        dirs.put("base", null);
        dirs.put("lora-all", ServeFixtures.lora());
        dirs.put("lora-qv", ServeFixtures.loraQv());
        dirs.put("houlsby", ServeFixtures.houlsby());
        dirs.put("dora-peft", ServeFixtures.doraPeft());
        dirs.put("dora-java", ServeFixtures.doraJava());
        serving = ServingModel.load(Samples.tinystories(), BasePrecision.DENSE, "cpu");
        dirs.forEach((name, dir) -> {
            adapters.put(name, dir == null ? null : serving.loadAdapter(name, dir));
            try (AdapterInference inference = AdapterInference.open(Samples.tinystories(), dir, "cpu")) {
                for (int p = 0; p < PROMPTS.length; p++) {
                    expected.put(name + "/" + p, inference.generate(PROMPTS[p], SamplingOptions.greedy(TOKENS), false)
                            .tokenIds());
                }
            }
        });
    }

    @AfterAll
    static void close() {
        serving.close();
    }

    static GenerationRequest greedy(String adapter, int prompt) {
        return GenerationRequest.greedy(serving.encodePrompt(PROMPTS[prompt]), adapters.get(adapter), TOKENS);
    }

    @Test
    void adaptersAreDescribedAndTheFingerprintIsTheBasesOwn() {
        assertThat(adapters.get("lora-all").method()).isEqualTo("lora");
        assertThat(adapters.get("lora-all").rank()).isEqualTo(8);
        assertThat(adapters.get("lora-qv").rank()).isEqualTo(4);
        assertThat(adapters.get("houlsby").method()).isEqualTo("bottleneck");
        assertThat(adapters.get("houlsby").rank()).isZero();
        assertThat(adapters.get("dora-peft").method()).isEqualTo("dora");
        assertThat(adapters.get("lora-all").bytes()).isEqualTo(38_912L * 4);
        try (AdapterInference inference = AdapterInference.open(Samples.tinystories(), null, "cpu")) {
            assertThat(serving.baseFingerprint()).isEqualTo(BaseModelRef.fingerprint(inference.model()));
        }
        assertThat(serving.precision()).isEqualTo(BasePrecision.DENSE);
        assertThat(serving.contextLength()).isEqualTo(512);
        assertThat(serving.encodePrompt("Once upon a time"))
                .isEqualTo(AdapterInference.promptIds(serving.tokenizer(), "Once upon a time", false));
    }

    @Test
    void oneRequestAtATimeEqualsTheEnginesGreedyGenerationForTheBaseAndEveryAdapter() throws Exception {
        try (Decoder decoder = serving.decoder(new DecoderOptions(4, 4096))) {
            for (String name : dirs.keySet()) {
                for (int p = 0; p < 2; p++) {
                    Collector sink = new Collector();
                    decoder.submit(greedy(name, p), sink);
                    Collector.Outcome outcome = sink.await();
                    int[] ids = expected.get(name + "/" + p);
                    assertThat(outcome.ids()).as(name + " on prompt " + p).isEqualTo(ids);
                    assertThat(outcome.completionTokens()).isEqualTo(ids.length);
                    assertThat(outcome.promptTokens()).isEqualTo(serving.encodePrompt(PROMPTS[p]).length);
                    assertThat(outcome.text()).as(name).isEqualTo(completion(PROMPTS[p], ids));
                    assertThat(outcome.reason()).isEqualTo(ids.length < TOKENS ? FinishReason.STOP : FinishReason.LENGTH);
                }
            }
        }
        // serving an adapter is never the base in disguise: each one changes the answer
        for (String name : List.of("lora-all", "lora-qv", "houlsby", "dora-peft")) {
            assertThat(expected.get(name + "/0")).as(name).isNotEqualTo(expected.get("base/0"));
        }
    }

    @Test
    void aMixedBatchGivesEveryRowItsSingleRequestOutput() throws Exception {
        List<String> names = new ArrayList<>(dirs.keySet());
        int arrays = serving.model().manager().getManagedArrays().size();
        try (Decoder decoder = serving.decoder(new DecoderOptions(32, 32 * 64))) {
            List<Collector> sinks = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            // every adapter (and the base) on every prompt, submitted at once: rows of different adapters,
            // ranks and methods decode in the same forwards and join as others run
            for (int p = 0; p < PROMPTS.length; p++) {
                for (String name : names) {
                    Collector sink = new Collector();
                    decoder.submit(greedy(name, p), sink);
                    sinks.add(sink);
                    keys.add(name + "/" + p);
                }
            }
            for (int i = 0; i < sinks.size(); i++) {
                assertThat(sinks.get(i).await().ids()).as(keys.get(i)).isEqualTo(expected.get(keys.get(i)));
            }
            assertThat(decoder.largestStep()).as("rows decoded together").isGreaterThanOrEqualTo(names.size());
            assertThat(decoder.steps()).as("one forward per step for all rows").isLessThan(sinks.size() * TOKENS / 2);
        }
        assertThat(serving.model().manager().getManagedArrays()).as("nothing a step made is left on the model")
                .hasSize(arrays);
    }

    @Test
    void plainLoraRowsOfDifferentRanksShareOneBatchedMatmulAndStillEqualTheirSingleRequestOutput() throws Exception {
        long gathered = Routing.GATHERED.get();
        try (Decoder decoder = serving.decoder(new DecoderOptions(16, 16 * 64))) {
            List<Collector> sinks = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (int p = 0; p < PROMPTS.length; p++) {
                for (String name : List.of("lora-all", "lora-qv", "base", "houlsby")) {
                    Collector sink = new Collector();
                    decoder.submit(greedy(name, p), sink);
                    sinks.add(sink);
                    keys.add(name + "/" + p);
                }
            }
            for (int i = 0; i < sinks.size(); i++) {
                assertThat(sinks.get(i).await().ids()).as(keys.get(i)).isEqualTo(expected.get(keys.get(i)));
            }
        }
        assertThat(Routing.GATHERED.get()).as("rows on different LoRA adapters took the gathered path").isGreaterThan(gathered);
    }

    @Test
    void loraRowsBesideBaseAndBottleneckRowsTakeTheAdaptersOwnStackedFactorsAndEqualTheirSingleRequestOutput()
            throws Exception {
        // one LoRA layout in the batch: the gathered factors are each adapter's own stacked ones, zeros elsewhere
        long gathered = Routing.GATHERED.get();
        try (Decoder decoder = serving.decoder(new DecoderOptions(16, 16 * 64))) {
            List<Collector> sinks = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (int p = 0; p < PROMPTS.length; p++) {
                for (String name : List.of("lora-all", "base", "houlsby")) {
                    Collector sink = new Collector();
                    decoder.submit(greedy(name, p), sink);
                    sinks.add(sink);
                    keys.add(name + "/" + p);
                }
            }
            for (int i = 0; i < sinks.size(); i++) {
                assertThat(sinks.get(i).await().ids()).as(keys.get(i)).isEqualTo(expected.get(keys.get(i)));
            }
        }
        assertThat(Routing.GATHERED.get()).as("LoRA rows beside other rows took the gathered path").isGreaterThan(gathered);
    }

    @Test
    void sampledRowsRepeatWithTheirSeedAndEqualTheEnginesSampling() throws Exception {
        float temperature = 0.8f;
        float topP = 0.9f;
        int[] reference;
        try (AdapterInference inference = AdapterInference.open(Samples.tinystories(), ServeFixtures.lora(), "cpu")) {
            reference = inference.generate(PROMPTS[0], new SamplingOptions(TOKENS, temperature, topP, 11, true), false)
                    .tokenIds();
        }
        try (Decoder decoder = serving.decoder(new DecoderOptions(8, 4096))) {
            List<Collector> sinks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Collector sink = new Collector();
                decoder.submit(new GenerationRequest(serving.encodePrompt(PROMPTS[0]), adapters.get("lora-all"), TOKENS,
                        temperature, topP, 11, List.of()), sink);
                sinks.add(sink);
            }
            for (Collector sink : sinks) {
                assertThat(sink.await().ids()).isEqualTo(reference);
            }
        }
    }

    @Test
    void stopStringsEndTheTextBeforeThemAndTheStreamNeverSplitsText() throws Exception {
        int[] ids = expected.get("base/0");
        String full = completion(PROMPTS[0], ids);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        String before = full.substring(0, full.indexOf(stop));
        try (Decoder decoder = serving.decoder(new DecoderOptions(4, 4096))) {
            Collector sink = new Collector();
            decoder.submit(new GenerationRequest(serving.encodePrompt(PROMPTS[0]), null, TOKENS, 0f, 1f, 0,
                    List.of("no such text", stop)), sink);
            Collector.Outcome outcome = sink.await();
            assertThat(outcome.text()).isEqualTo(before);
            assertThat(outcome.reason()).isEqualTo(FinishReason.STOP);
            assertThat(outcome.completionTokens()).isLessThan(ids.length);

            Collector streamed = new Collector();
            decoder.submit(greedy("base", 0), streamed);
            Collector.Outcome whole = streamed.await();
            assertThat(whole.text()).isEqualTo(full);
            assertThat(whole.deltas()).as("text streams as tokens come").isGreaterThan(TOKENS / 2);
        }
    }

    @Test
    void chatMessagesAreEncodedAsTheEnginesChatGeneration() throws Exception {
        int[] reference;
        try (AdapterInference inference = AdapterInference.open(Samples.tinystories(), ServeFixtures.lora(), "cpu")) {
            reference = inference.generate("Who are you?", SamplingOptions.greedy(TOKENS), true).tokenIds();
        }
        int[] prompt = serving.encodeChat(List.of(new Turn(Role.USER, "Who are you?")));
        assertThat(prompt).isEqualTo(AdapterInference.promptIds(serving.tokenizer(), "Who are you?", true));
        try (Decoder decoder = serving.decoder(new DecoderOptions(4, 4096))) {
            Collector sink = new Collector();
            decoder.submit(GenerationRequest.greedy(prompt, adapters.get("lora-all"), TOKENS), sink);
            assertThat(sink.await().ids()).isEqualTo(reference);
        }
    }

    @Test
    void anAdapterThatDoesNotFitIsRefusedWithItsReason(@TempDir Path tmp) throws IOException {
        try (ServingModel other = ServingModel.load(Samples.stories260k(), BasePrecision.DENSE, "cpu")) {
            assertThatThrownBy(() -> other.loadAdapter("wrong-base", ServeFixtures.lora()))
                    .isInstanceOf(AdapterLoadException.class).hasMessageContaining("different base model");
            assertThatThrownBy(() -> other.loadAdapter("wrong-shapes", ServeFixtures.doraPeft()))
                    .isInstanceOf(AdapterLoadException.class).hasMessageContaining("different base model");
            assertThatThrownBy(() -> other.loadAdapter("bottleneck", ServeFixtures.houlsby()))
                    .isInstanceOf(AdapterLoadException.class);
            assertThat(other.adapters()).isEmpty();
        }
        assertThatThrownBy(() -> serving.loadAdapter("missing", tmp.resolve("nothing")))
                .isInstanceOf(AdapterLoadException.class).hasMessageContaining("does not exist");
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        Files.copy(ServeFixtures.lora().resolve("adapter_config.json"), empty.resolve("adapter_config.json"));
        SafetensorsWriter.write(empty.resolve("adapter_model.safetensors"), Map.of(), Map.of("format", "pt"));
        assertThatThrownBy(() -> serving.loadAdapter("empty", empty))
                .isInstanceOf(AdapterLoadException.class).hasMessageContaining("targets no module");
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(ServeFixtures.lora().resolve("adapter_model.safetensors"), broken.resolve("adapter_model.safetensors"));
        Files.writeString(broken.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", ");
        assertThatThrownBy(() -> serving.loadAdapter("broken", broken))
                .isInstanceOf(AdapterLoadException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void theKvBudgetAndTheRowsAreBoundedAndAFullDecoderSaysWhenToRetry() throws Exception {
        try (Decoder decoder = serving.decoder(new DecoderOptions(2, 100))) {
            int[] prompt = serving.encodePrompt(PROMPTS[0]);
            assertThatThrownBy(() -> decoder.submit(GenerationRequest.greedy(prompt, null, 200), new Collector()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole budget of 100");
            Collector first = new Collector();
            GenerationHandle running = decoder.submit(GenerationRequest.greedy(prompt, null, 80), first);
            assertThatThrownBy(() -> decoder.submit(GenerationRequest.greedy(prompt, null, 40), new Collector()))
                    .isInstanceOfSatisfying(DecoderFullException.class, e -> {
                        assertThat(e.getMessage()).contains("KV cache budget");
                        assertThat(e.retryAfterSeconds()).isPositive();
                    });
            running.cancel();
            assertThatThrownBy(first::await).hasRootCauseInstanceOf(CancellationException.class);
            Collector one = new Collector();
            Collector two = new Collector();
            decoder.submit(GenerationRequest.greedy(prompt, null, 8), one);
            decoder.submit(GenerationRequest.greedy(prompt, null, 8), two);
            assertThatThrownBy(() -> decoder.submit(GenerationRequest.greedy(prompt, null, 8), new Collector()))
                    .isInstanceOf(DecoderFullException.class).hasMessageContaining("rows");
            assertThat(one.await().ids()).isEqualTo(two.await().ids());
            assertThat(decoder.reservedKvTokens()).isZero();
        }
    }

    @Test
    void anUnloadedAdapterIsRefusedAndFreedWhenItsLastGenerationEnds() throws Exception {
        ServedAdapter extra = serving.loadAdapter("extra", ServeFixtures.loraQv());
        try (Decoder decoder = serving.decoder(new DecoderOptions(4, 4096))) {
            Collector sink = new Collector();
            decoder.submit(GenerationRequest.greedy(serving.encodePrompt(PROMPTS[0]), extra, TOKENS), sink);
            serving.unloadAdapter(extra);
            assertThat(sink.await().ids()).as("the running request finishes on its adapter")
                    .isEqualTo(expected.get("lora-qv/0"));
            assertThatThrownBy(() -> decoder.submit(GenerationRequest.greedy(new int[] {1}, extra, 4), new Collector()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("unloaded");
            assertThat(serving.adapters()).doesNotContain(extra);
        }
    }

    @Test
    void mergedModeAnswersAsTheUnmergedAdapter() throws Exception {
        try (ServingModel merged = ServingModel.loadMerged(Samples.tinystories(), ServeFixtures.lora(), "cpu");
             Decoder decoder = merged.decoder(new DecoderOptions(4, 4096))) {
            assertThat(merged.mergedAdapter().method()).isEqualTo("lora");
            assertThatThrownBy(() -> merged.loadAdapter("x", ServeFixtures.loraQv())).isInstanceOf(IllegalStateException.class);
            for (int p = 0; p < PROMPTS.length; p++) {
                Collector sink = new Collector();
                decoder.submit(GenerationRequest.greedy(merged.encodePrompt(PROMPTS[p]), merged.mergedAdapter(), TOKENS), sink);
                assertThat(sink.await().ids()).isEqualTo(expected.get("lora-all/" + p));
            }
        }
        assertThatThrownBy(() -> ServingModel.loadMerged(Samples.tinystories(), ServeFixtures.houlsby(), "cpu"))
                .isInstanceOf(AdapterLoadException.class).hasMessageContaining("cannot be served merged");
    }

    /** The completion AdapterInference shows for these generated ids after the prompt. */
    static String completion(String prompt, int[] generated) {
        int[] promptIds = serving.encodePrompt(prompt);
        int[] all = Arrays.copyOf(promptIds, promptIds.length + generated.length);
        System.arraycopy(generated, 0, all, promptIds.length, generated.length);
        String full = serving.decode(all);
        String head = serving.decode(promptIds);
        return full.startsWith(head) ? full.substring(head.length()) : serving.decode(generated);
    }
}
