package dev.finetune.core.download;

/** How a client gets the bytes of a file the API lists with a {@code url}. */
public enum DownloadMode {
    /**
     * A presigned GET URL of the object store (valid for minutes, no API key needed): the bytes go
     * from the store to the client, never through the API. Needs a store the client can reach:
     * {@code finetune.storage.endpoint} itself, or {@code finetune.storage.public-endpoint}.
     */
    PRESIGNED,
    /**
     * A URL of the API's own endpoint that streams the file from the store, with the caller's API
     * key and tenant checked like every other call. For a store only the API can reach (the local
     * platform's loopback S3Proxy).
     */
    PROXIED
}
