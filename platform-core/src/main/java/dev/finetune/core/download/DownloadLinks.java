package dev.finetune.core.download;

import java.time.Duration;
import java.util.function.Supplier;

import dev.finetune.core.storage.ArtifactStore;

/**
 * The {@code url} a client downloads a stored file with, by {@link DownloadMode}: a presigned URL
 * that answers with {@code Content-Disposition: attachment}, or the URL of the API endpoint that
 * streams the file. The endpoint belongs to the feature that lists the file, so the caller supplies
 * it; it is only built in proxied mode.
 */
public final class DownloadLinks {

    private final ArtifactStore store;
    private final DownloadMode mode;

    public DownloadLinks(ArtifactStore store, DownloadProperties properties) {
        this.store = store;
        this.mode = properties.mode();
    }

    public DownloadMode mode() {
        return mode;
    }

    /**
     * @param key the object's key
     * @param fileName the name the browser saves it as
     * @param validFor how long a presigned URL stays valid
     * @param apiUrl the absolute URL of the API endpoint that streams this file
     */
    public String link(String key, String fileName, Duration validFor, Supplier<String> apiUrl) {
        return switch (mode) {
            case PRESIGNED -> store.presignedDownload(key, fileName, validFor);
            case PROXIED -> apiUrl.get();
        };
    }
}
