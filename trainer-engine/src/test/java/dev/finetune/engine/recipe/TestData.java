package dev.finetune.engine.recipe;

import dev.finetune.engine.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Datasets made from the bundled samples for recipe and CLI tests. */
public final class TestData {

    private TestData() {}

    /**
     * The first 10 gsm8k records ({question, answer}) with line 3's JSON broken (closing brace cut)
     * and line 5's answer key renamed away.
     */
    public static Path damagedGsm8k(Path dir) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(Samples.dataset("gsm8k_train_400.jsonl")).subList(0, 10));
        lines.set(2, lines.get(2).substring(0, lines.get(2).length() - 2));
        lines.set(4, lines.get(4).replaceFirst(", \"answer\": ", ", \"solution\": "));
        Path file = dir.resolve("damaged.jsonl");
        Files.write(file, lines);
        return file;
    }
}
