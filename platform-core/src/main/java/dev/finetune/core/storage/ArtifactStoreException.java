package dev.finetune.core.storage;

/** The object store failed or refused a request. */
public class ArtifactStoreException extends RuntimeException {

    public ArtifactStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
