package dev.finetune.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.engine.testing.Samples;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values the shared settings and the engine's records reject (they name their fields as the API does:
 * {@code learning_rate}, {@code lora_r}; or {@code dataFile}) reach the person as errors naming the flag they typed.
 */
class CliErrorMessagesTest {

    @TempDir
    Path tmp;

    /** Every field name the engine's records use for something a flag sets. */
    static final List<String> FIELD_NAMES = Stream.of(FlagNames.TRAIN, FlagNames.GENERATE)
            .flatMap(f -> f.identifiers().keySet().stream()).distinct().toList();

    /** {@code train} on the bundled model and data with only {@code extra} set: each is rejected before any training. */
    CliRunner train(String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", Samples.tinystories().toString(),
                "--data", Samples.dataset("llamafactory_identity.json").toString(), "--out", tmp.resolve("out").toString()));
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(String[]::new));
    }

    static void assertNamesTheFlag(CliRunner r, String expected) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).isEqualTo("error: " + expected + "\n");
        for (String field : FIELD_NAMES) {
            assertThat(r.err()).as(r.toString()).doesNotContain(field);
        }
    }

    @Test
    void outOfRangeTrainingSettingsNameTheirFlags() {
        assertNamesTheFlag(train("--learning-rate", "0"), "--learning-rate must be > 0 and <= 1 but was 0.0");
        assertNamesTheFlag(train("--grad-accum", "0"), "--grad-accum must be > 0 but was 0");
        assertNamesTheFlag(train("--epochs", "0"), "--epochs must be > 0 but was 0");
        assertNamesTheFlag(train("--warmup-ratio", "1.5"), "--warmup-ratio must be >= 0 and < 1 but was 1.5");
        assertNamesTheFlag(train("--log-every", "0"), "--log-every must be > 0 but was 0");
    }

    @Test
    void outOfRangeAdapterSettingsNameTheirFlags() {
        assertNamesTheFlag(train("--lora-r", "0"), "--lora-r must be > 0 but was 0");
        assertNamesTheFlag(train("--lora-dropout", "1"), "--lora-dropout must be >= 0 and < 1 but was 1.0");
        assertNamesTheFlag(train("--target-modules", ","), "--target-modules must not be empty");
        assertNamesTheFlag(train("--method", "adapter", "--reduction-factor", "0"), "--reduction-factor must be > 0 but was 0");
        assertNamesTheFlag(train("--method", "dora"), "--method must be one of [lora, qlora, adapter] but was 'dora'");
        assertNamesTheFlag(train("--method", "adapter", "--use-dora"), "--use-dora applies to methods lora and qlora "
                + "only, not adapter (DoRA rescales a LoRA update; a bottleneck adapter has none)");
    }

    @Test
    void outOfRangeDataAndDeviceSettingsNameTheirFlags() {
        assertNamesTheFlag(train("--max-seq-len", "1"), "--max-seq-len must be >= 8 but was 1");
        assertNamesTheFlag(train("--eval-fraction", "1"), "--eval-fraction must be in [0, 1) (0 disables evaluation), got 1.0");
        assertNamesTheFlag(train("--device", "tpu"), "--device must be cpu, cuda or cuda:N, got 'tpu'");
    }

    @Test
    void missingFilesNameTheirFlags() {
        // given paths that do not exist
        String noData = tmp.resolve("no-such.jsonl").toString();
        String noModel = tmp.resolve("no-such-model").toString();

        // when
        CliRunner data = CliRunner.run("train", "--model", Samples.tinystories().toString(), "--data", noData,
                "--out", tmp.resolve("a").toString());
        CliRunner model = CliRunner.run("train", "--model", noModel, "--data",
                Samples.dataset("llamafactory_identity.json").toString(), "--out", tmp.resolve("b").toString());

        // then
        assertNamesTheFlag(data, "--data " + noData + " does not exist or is not a file");
        assertThat(model.exitCode()).as(model.toString()).isEqualTo(2);
        assertThat(model.err()).startsWith("error: --model " + noModel + " is not a directory").doesNotContain("modelDir");
    }

    @Test
    void outOfRangeSamplingSettingsNameTheirFlags() {
        List<String> base = List.of("generate", "--model", Samples.tinystories().toString());
        assertNamesTheFlag(generate(base, "--max-new-tokens", "-1"), "--max-new-tokens must be >= 0, got -1");
        assertNamesTheFlag(generate(base, "--top-p", "0"), "--top-p must be in (0, 1], got 0.0");
        assertNamesTheFlag(generate(base, "--temperature", "-1"), "--temperature must be >= 0, got -1.0");
        assertNamesTheFlag(generate(base, "--device", "gpu"), "--device must be cpu, cuda or cuda:N, got 'gpu'");
    }

    static CliRunner generate(List<String> base, String... extra) {
        List<String> args = new ArrayList<>(base);
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(String[]::new));
    }
}
