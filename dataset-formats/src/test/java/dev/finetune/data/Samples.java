package dev.finetune.data;

import java.nio.file.Path;

/** Paths of the repository's bundled sample files (surefire sets {@code samples.dir}). */
final class Samples {

    static final Path DIR = Path.of(System.getProperty("samples.dir", "../samples"));
    static final Path TINYSTORIES = DIR.resolve("models/tinystories-656k");
    static final Path STORIES260K = DIR.resolve("models/stories260k");
    static final Path GSM8K = DIR.resolve("datasets/gsm8k_train_400.jsonl");
    static final Path IDENTITY = DIR.resolve("datasets/llamafactory_identity.json");
    static final Path GLAIVE = DIR.resolve("datasets/glaive_toolcall_40.json");
    static final Path SHAKESPEARE = DIR.resolve("datasets/tinyshakespeare_120k.txt");

    private Samples() {}
}
