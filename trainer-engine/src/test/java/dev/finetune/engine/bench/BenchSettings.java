package dev.finetune.engine.bench;

import dev.finetune.engine.checkpoint.LlamaConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's shape and effort, every field overridable with a {@code -Dbench.*} system property
 * (e.g. {@code -Dbench.seq=256 -Dbench.steps=2}).
 */
record BenchSettings(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab, int seq, int batch,
                     int rank, List<String> targets, double dropout, int warmupSteps, int timedSteps,
                     int profileSteps, List<String> cases, boolean fork, long seed) {

    static BenchSettings fromSystemProperties() {
        return new BenchSettings(
                integer("bench.hidden", 1024), integer("bench.layers", 8), integer("bench.heads", 16),
                integer("bench.kvHeads", 4), integer("bench.intermediate", 2816), integer("bench.vocab", 32000),
                integer("bench.seq", 512), integer("bench.batch", 1), integer("bench.rank", 16),
                List.of(System.getProperty("bench.targets", "all-linear").split(",")),
                Double.parseDouble(System.getProperty("bench.dropout", "0.05")),
                integer("bench.warmup", 1), integer("bench.steps", 3), integer("bench.profileSteps", 1),
                List.of(System.getProperty("bench.cases", String.join(",", BenchCase.DEFAULT_ORDER)).split(",")),
                Boolean.parseBoolean(System.getProperty("bench.fork", "true")),
                Long.parseLong(System.getProperty("bench.seed", "7")));
    }

    LlamaConfig config() {
        return LlamaConfig.of(hidden, layers, heads, kvHeads, intermediate, vocab);
    }

    /** The same settings as {@code -D} arguments for a child JVM. */
    List<String> asJvmArgs() {
        List<String> out = new ArrayList<>(Arrays.asList(
                "-Dbench.hidden=" + hidden, "-Dbench.layers=" + layers, "-Dbench.heads=" + heads,
                "-Dbench.kvHeads=" + kvHeads, "-Dbench.intermediate=" + intermediate, "-Dbench.vocab=" + vocab,
                "-Dbench.seq=" + seq, "-Dbench.batch=" + batch, "-Dbench.rank=" + rank,
                "-Dbench.targets=" + String.join(",", targets), "-Dbench.dropout=" + dropout,
                "-Dbench.warmup=" + warmupSteps, "-Dbench.steps=" + timedSteps,
                "-Dbench.profileSteps=" + profileSteps, "-Dbench.seed=" + seed));
        return out;
    }

    String describe() {
        return String.format(Locale.ROOT,
                "llama hidden %d, %d layers, %d heads (%d KV heads, head_dim %d), intermediate %d, vocab %d (untied head); "
                        + "batch %d x seq %d; LoRA r=%d alpha=%d dropout %.2f on %s; %d warm-up + %d timed steps per case",
                hidden, layers, heads, kvHeads, hidden / heads, intermediate, vocab, batch, seq, rank, 2 * rank, dropout,
                String.join(",", targets), warmupSteps, timedSteps);
    }

    private static int integer(String name, int def) {
        return Integer.parseInt(System.getProperty(name, Integer.toString(def)));
    }
}
