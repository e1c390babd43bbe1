package dev.finetune.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.finetune.core.problem.PlatformProblem;
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

    /** The files with their sizes; with {@code urlValidity} non-null, each with a presigned GET URL. */
    public List<ArtifactFile> files(Duration urlValidity) {
        return objects.stream().map(o -> new ArtifactFile(relative(o), o.size(),
                urlValidity == null ? null : store.presignedGet(o.key(), urlValidity))).toList();
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

    /** Opens one file; the caller closes the stream. */
    public InputStream open(String path) {
        return store.get(find(path).key());
    }

    private ObjectInfo find(String path) {
        return objects.stream().filter(o -> relative(o).equals(path)).findFirst()
                .orElseThrow(() -> PlatformProblem.notFound("file", version.ref() + ":" + path));
    }

    private String relative(ObjectInfo o) {
        return o.key().substring(version.artifact().prefix().length());
    }
}
