package dev.finetune.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.finetune.core.download.DownloadLinks;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.storage.ArtifactNotFoundException;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectInfo;

/**
 * The files of one version, listed when it was looked up (so a missing version fails before any
 * byte is streamed) and read from object storage only when streamed.
 */
public final class AdapterDownload {

    private final AdapterVersion version;
    private final List<ObjectInfo> objects;
    private final ArtifactStore store;

    AdapterDownload(AdapterVersion version, List<ObjectInfo> objects, ArtifactStore store) {
        this.version = version;
        this.objects = List.copyOf(objects);
        this.store = store;
    }

    public AdapterVersion version() {
        return version;
    }

    /** The files with their sizes, without links. */
    public List<ArtifactFile> files() {
        return objects.stream().map(o -> new ArtifactFile(relative(o), o.size(), null)).toList();
    }

    /**
     * The files, each with the link {@code links} makes for it: a presigned URL valid for
     * {@code validFor}, or {@code apiUrl} of its path (the API endpoint that streams it).
     */
    public List<ArtifactFile> files(DownloadLinks links, Duration validFor, UnaryOperator<String> apiUrl) {
        return objects.stream().map(o -> {
            String path = relative(o);
            return new ArtifactFile(path, o.size(), links.link(o.key(), fileName(path), validFor, () -> apiUrl.apply(path)));
        }).toList();
    }

    /** The name a file is saved as: its path's last segment. */
    public static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Writes every file into one zip, paths relative to the adapter directory. */
    public void writeZip(OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (ObjectInfo o : objects) {
            zip.putNextEntry(new ZipEntry(relative(o)));
            try (InputStream in = store.get(o.key())) {
                in.transferTo(zip);
            }
            zip.closeEntry();
        }
        zip.finish();
    }

    /** One file's size; a path that is not one of the version's files is a 404. */
    public long size(String path) {
        return find(path).size();
    }

    /** Opens one file; the caller closes the stream. A file gone since the listing is a 404 too. */
    public InputStream open(String path) {
        ObjectInfo file = find(path);
        try {
            return store.get(file.key());
        } catch (ArtifactNotFoundException e) {
            throw notFound(path);
        }
    }

    private ObjectInfo find(String path) {
        return objects.stream().filter(o -> relative(o).equals(path)).findFirst().orElseThrow(() -> notFound(path));
    }

    private PlatformProblem notFound(String path) {
        return PlatformProblem.notFound("file", version.ref() + ":" + path).with("file", path);
    }

    private String relative(ObjectInfo o) {
        return o.key().substring(version.artifact().prefix().length());
    }
}
