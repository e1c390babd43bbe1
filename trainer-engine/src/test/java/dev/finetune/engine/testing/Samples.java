package dev.finetune.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Locations of the bundled sample checkpoints and datasets (system property {@code samples.dir}). */
public final class Samples {

    private Samples() {}

    public static Path root() {
        String dir = System.getProperty("samples.dir");
        return dir != null ? Path.of(dir) : Path.of("../samples");
    }

    public static Path tinystories() {
        return root().resolve("models/tinystories-656k");
    }

    public static Path stories260k() {
        return root().resolve("models/stories260k");
    }

    public static Path dataset(String name) {
        return root().resolve("datasets").resolve(name);
    }

    public static JsonNode reference() {
        try {
            return new ObjectMapper().readTree(tinystories().resolve("REFERENCE_numpy.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
