package dev.finetune.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.engine.checkpoint.SafetensorsFile;
import dev.finetune.engine.testing.Fixtures;
import dev.finetune.engine.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code finetune train} end to end in-process, on the bundled checkpoints and datasets. */
class TrainCommandTest {

    @TempDir
    Path tmp;

    static String[] train(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--model", Samples.tinystories().toString(),
                "--data", Samples.dataset("llamafactory_identity.json").toString(),
                "--out", out.toString(), "--learning-rate", "2e-3"));
        args.addAll(List.of(extra));
        if (!args.contains("--target-modules")) {
            args.addAll(List.of("--target-modules", "all-linear"));
        }
        if (!args.contains("--method")) {
            args.addAll(List.of("--method", "lora"));
        }
        return args.toArray(String[]::new);
    }

    @Test
    void trainsPrintsOneLogLinePerLogEveryAndWritesTheAdapter() {
        Path out = tmp.resolve("out");
        CliRunner r = CliRunner.run(train(out, "--max-steps", "6", "--log-every", "2", "--merge"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> steps = r.out().lines().filter(l -> l.startsWith("step ")).toList();
        assertThat(steps).hasSize(3);
        assertThat(steps.get(0)).matches("step 2/6 \\| epoch 0\\.\\d\\d \\| loss \\d+\\.\\d{4} \\| lr .*");
        assertThat(steps.get(2)).startsWith("step 6/6").contains("| eval_loss ");
        assertThat(r.out()).contains("data: INSTRUCTION: 91 rows -> 82 train / 9 eval sequences")
                .contains("done: completed after 6/6 steps").contains("train loss: ").contains("(before) -> ")
                .contains("perplexity").contains("wall time");
        assertThat(r.err()).isEmpty();
        assertThat(out.resolve("adapter_config.json")).exists();
        assertThat(out.resolve("adapter_model.safetensors")).exists();
        assertThat(out.resolve("training_summary.json")).exists();
        assertThat(out.resolve("merged/model.safetensors")).exists();
        assertThat(out.resolve("merged/tokenizer.json")).exists();
    }

    @Test
    void useDoraOnQloraWritesAPeftDoraAdapterAndRecordsTheSetting() throws IOException {
        // given
        Path out = tmp.resolve("dora");

        // when
        CliRunner r = CliRunner.run(train(out, "--method", "qlora", "--use-dora", "--target-modules", "q_proj,v_proj",
                "--max-steps", "2", "--eval-fraction", "0"));

        // then
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.readString(out.resolve("adapter_config.json"))).contains("\"use_dora\" : true");
        assertThat(Files.readString(out.resolve("training_summary.json"))).contains("\"use_dora\" : true");
        try (SafetensorsFile weights = SafetensorsFile.open(out.resolve("adapter_model.safetensors"))) {
            assertThat(weights.names()).contains("base_model.model.model.layers.1.self_attn.v_proj.lora_magnitude_vector")
                    .hasSize(2 * 2 * 3);
        }
    }

    @Test
    void resumingFromACheckpointReachesTheSameAdapterAsAnUninterruptedRun() throws IOException {
        Path full = tmp.resolve("full");
        CliRunner uninterrupted = CliRunner.run(train(full, "--max-steps", "6", "--checkpoint-every", "3",
                "--lora-dropout", "0.1", "--eval-every", "2", "--log-every", "1"));
        assertThat(uninterrupted.exitCode()).as(uninterrupted.toString()).isZero();
        assertThat(full.resolve("checkpoints/step-3/trainer_state.json")).exists();
        assertThat(full.resolve("checkpoints/step-6/trainer_state.json")).exists();
        assertThat(uninterrupted.out()).contains("checkpoint: " + full.resolve("checkpoints/step-3"));

        Path resumedOut = tmp.resolve("resumed");
        CliRunner resumed = CliRunner.run(train(resumedOut, "--max-steps", "6", "--checkpoint-every", "3",
                "--lora-dropout", "0.1", "--eval-every", "2", "--log-every", "1",
                "--resume", full.resolve("checkpoints/step-3").toString()));
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(resumed.out()).contains("resumed from").contains("at step 3");
        assertThat(resumed.out().lines().filter(l -> l.startsWith("step ")).toList())
                .extracting(l -> l.substring(0, l.indexOf(' ', 5))).containsExactly("step 4/6", "step 5/6", "step 6/6");
        assertThat(maxAbsDiff(full.resolve("adapter_model.safetensors"), resumedOut.resolve("adapter_model.safetensors")))
                .isLessThanOrEqualTo(1e-6f);
        assertThat(lastLine(resumed.out(), "step 6/6")).isEqualTo(lastLine(uninterrupted.out(), "step 6/6"));
    }

    @Test
    void aBrokenDatasetExitsTwoNamingEveryBadLineBeforeAnyModelIsLoaded() throws IOException {
        Path data = dev.finetune.engine.recipe.TestData.damagedGsm8k(tmp);
        // a checkpoint directory without weights: any attempt to load the model would fail differently
        Path noWeights = Files.createDirectories(tmp.resolve("no-weights"));
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            Files.copy(Samples.tinystories().resolve(f), noWeights.resolve(f));
        }
        CliRunner r = CliRunner.run("train", "--model", noWeights.toString(), "--data", data.toString(),
                "--out", tmp.resolve("out").toString(), "--prompt-field", "question", "--completion-field", "answer");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: invalid dataset " + data).contains("2 of 10 records")
                .contains("line 3: invalid JSON").contains("line 5 ").contains("answer")
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("model.safetensors");
        assertThat(r.out()).doesNotContain("model:");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void userErrorsExitTwoWithOneParagraphAndNoStackTrace() {
        CliRunner method = CliRunner.run(train(tmp.resolve("a"), "--method", "dora"));
        assertThat(method.exitCode()).isEqualTo(2);
        assertThat(method.err()).isEqualTo("error: --method must be one of [lora, qlora, adapter] but was 'dora'\n");

        CliRunner merge = CliRunner.run(train(tmp.resolve("b"), "--method", "adapter", "--merge"));
        assertThat(merge.exitCode()).isEqualTo(2);
        assertThat(merge.err()).contains("--merge needs --method lora or qlora");

        CliRunner missing = CliRunner.run("train", "--model", Samples.tinystories().toString(), "--data",
                "no/such/file.jsonl", "--out", tmp.resolve("c").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--data no/such/file.jsonl").doesNotContain("dataFile").doesNotContain("\tat ");

        CliRunner badTarget = CliRunner.run(train(tmp.resolve("d"), "--target-modules", "c_attn", "--max-steps", "1"));
        assertThat(badTarget.exitCode()).isEqualTo(2);
        assertThat(badTarget.err()).startsWith("error: --target-modules [").contains("c_attn] match no linear layer");

        CliRunner scheduler = CliRunner.run(train(tmp.resolve("e"), "--lr-scheduler", "step"));
        assertThat(scheduler.exitCode()).isEqualTo(2);
        assertThat(scheduler.err()).contains("--lr-scheduler").contains("'step'");
    }

    @Test
    void adapterMethodOnShakespeareWritesAnAdapterHubDirectory() {
        Path out = tmp.resolve("shakespeare");
        CliRunner r = CliRunner.run("train", "--model", Samples.tinystories().toString(),
                "--data", Samples.dataset("tinyshakespeare_120k.txt").toString(), "--method", "adapter",
                "--adapter-kind", "houlsby", "--reduction-factor", "8", "--max-seq-len", "128", "--max-steps", "3",
                "--eval-fraction", "0.02", "--learning-rate", "1e-3", "--log-every", "1", "--out", out.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("data: TEXT: 1 rows -> ").contains("AdapterHub bottleneck");
        assertThat(out.resolve("adapter.safetensors")).exists();
    }

    static String lastLine(String out, String prefix) {
        String line = out.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b).orElseThrow();
        // drop the timing columns, which differ between runs
        return line.substring(0, line.indexOf(" | grad_norm"));
    }

    static float maxAbsDiff(Path a, Path b) {
        try (SafetensorsFile fa = SafetensorsFile.open(a); SafetensorsFile fb = SafetensorsFile.open(b)) {
            assertThat(fb.names()).isEqualTo(fa.names());
            float max = 0;
            for (String name : fa.names()) {
                max = Math.max(max, Fixtures.maxAbsDiff(fa.readFloats(name), fb.readFloats(name)));
            }
            return max;
        }
    }
}
