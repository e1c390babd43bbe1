package dev.finetune.core.storage;

/** There is no object under that key. */
public class ArtifactNotFoundException extends ArtifactStoreException {

    public ArtifactNotFoundException(String operation, Throwable cause) {
        super("object not found: " + operation, cause);
    }
}
