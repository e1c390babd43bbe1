package dev.finetune.engine.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.engine.bench.ServingBench;
import dev.finetune.engine.checkpoint.LlamaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving path's memory stays flat too: one request of 2,000 tokens through a {@link Decoder} (on a random
 * tiny Llama written with 2,048 positions and the tinystories tokenizer, its EOS row zeroed so it never stops
 * early): VmRSS at the 2,000th token is within 5% of the 16th, on the third request (the first two touch the
 * pages of the already committed Java heap for the first time: RSS grows toward the heap's size while the
 * committed heap stays the same), and the model's manager holds exactly the arrays it held before.
 */
@Tag("memory")
class DecoderMemoryTest {

    @Test
    void residentMemoryIsFlatFromThe16thToThe2000thTokenOfARequest(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        ServingBench.writeCheckpoint(LlamaConfig.of(64, 2, 4, 2, 128, 2048), base, 3);
        try (ServingModel serving = ServingModel.load(base, BasePrecision.DENSE, "cpu");
             Decoder decoder = serving.decoder(new DecoderOptions(1, 2048))) {
            int arrays = serving.model().manager().getManagedArrays().size();
            long[] first = generate(decoder, serving);
            long[] second = generate(decoder, serving);
            long[] measured = generate(decoder, serving);
            System.out.printf("VmRSS at tokens 16 and 2000: request 1 %d -> %d kB, request 2 %d -> %d kB, request 3 %d -> %d kB;"
                    + " committed Java heap %d -> %d kB%n", first[0], first[1], second[0], second[1], measured[0], measured[1],
                    first[2], measured[3]);
            // the Java heap is committed up front and stays the same size: what the warm-up requests add is its
            // pages touched for the first time by short-lived garbage, not anything the requests keep
            assertThat(measured[3]).isEqualTo(first[2]);
            assertThat((double) measured[1]).isBetween(measured[0] * 0.95, measured[0] * 1.05);
            assertThat(serving.model().manager().getManagedArrays()).hasSize(arrays);
        }
    }

    private static long[] generate(Decoder decoder, ServingModel serving) throws Exception {
        long[] rss = new long[4];
        Collector sink = new Collector() {
            int tokens;

            @Override
            public synchronized void onToken(int tokenId) {
                super.onToken(tokenId);
                tokens++;
                if (tokens == 16) {
                    rss[0] = rssKb();
                    rss[2] = Runtime.getRuntime().totalMemory() / 1024;
                } else if (tokens == 2000) {
                    rss[1] = rssKb();
                    rss[3] = Runtime.getRuntime().totalMemory() / 1024;
                }
            }
        };
        decoder.submit(new GenerationRequest(serving.encodePrompt("Once upon a time"), null, 2000, 0f, 1f, 0, List.of()),
                sink);
        assertThat(sink.await().completionTokens()).isEqualTo(2000);
        return rss;
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
