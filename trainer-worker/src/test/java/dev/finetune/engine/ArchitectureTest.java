package dev.finetune.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The engine stays plain Java on DJL: no Spring, so the CLI and any host can run it. */
class ArchitectureTest {

    @Test
    void engineSourcesImportNoSpring() throws IOException {
        Path root = Path.of("src/main/java/dev/finetune/engine");
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> sources = files.filter(p -> p.toString().endsWith(".java")).toList();
            assertThat(sources).hasSizeGreaterThan(30);
            for (Path source : sources) {
                assertThat(Files.readString(source)).as(source.toString()).doesNotContain("org.springframework");
            }
        }
    }
}
