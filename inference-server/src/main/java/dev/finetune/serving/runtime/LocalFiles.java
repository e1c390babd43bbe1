package dev.finetune.serving.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectInfo;

/** Copies the objects under a prefix of the store into a local directory, and removes such copies. */
final class LocalFiles {

    private LocalFiles() {
    }

    /**
     * Copies every object under {@code prefix} into {@code target} (keeping the relative paths),
     * through a sibling directory that is renamed into place, so a copy cut short is never mistaken
     * for a complete one. Returns the total size; 0 when the prefix holds nothing.
     */
    static long copy(ArtifactStore store, String prefix, Path target) {
        List<ObjectInfo> objects = store.list(prefix);
        if (objects.isEmpty()) {
            return 0;
        }
        Path partial = target.resolveSibling(target.getFileName() + ".partial-" + System.nanoTime());
        long total = 0;
        try {
            for (ObjectInfo o : objects) {
                String relative = o.key().substring(prefix.length());
                Path file = partial.resolve(relative).normalize();
                if (!file.startsWith(partial) || relative.isEmpty()) {
                    continue; // a key that would leave the directory is never written
                }
                store.getToFile(o.key(), file);
                total += o.size();
            }
            Files.createDirectories(target.getParent());
            deleteRecursively(target);
            Files.move(partial, target);
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + prefix + " to " + target, e);
        } finally {
            deleteRecursively(partial);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
