package dev.finetune.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Samples;
import org.junit.jupiter.api.Test;

/** The other tied-embedding convention, byte-fallback tokenizer, 5 layers, head_dim 8. */
class Stories260kTest {

    @Test
    void loadsAndTellsACoherentStory() throws Exception {
        try (NDManager manager = EngineRuntime.newManager("cpu");
             HfCheckpoint ckpt = HfCheckpoint.open(Samples.stories260k());
             HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(Samples.stories260k().resolve("tokenizer.json"))) {
            LlamaModel model = ModelLoader.load(ckpt, manager, ModelOptions.dense());
            long[] encoded = tokenizer.encode("Once upon a time").getIds();
            int[] prompt = new int[encoded.length];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = (int) encoded[i];
            }
            int[] out = new Generator(model, 2).generate(prompt, SamplingOptions.greedy(60));
            long[] asLong = new long[out.length];
            for (int i = 0; i < out.length; i++) {
                asLong[i] = out[i];
            }
            String story = tokenizer.decode(asLong);
            // the 260K-parameter TinyStories model writes simple English: mostly lower-case words and common story words
            assertThat(story.split("\\s+")).hasSizeGreaterThan(10);
            assertThat(story).containsAnyOf(" the ", " was ", " a ", " she ", " he ");
            assertThat(story.chars().filter(c -> c == 0xFFFD).count()).isZero();
            model.close();
        }
    }
}
