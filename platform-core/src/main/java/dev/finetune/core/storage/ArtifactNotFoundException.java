package dev.finetune.core.storage;

/** There is no object under that key. */
public class ArtifactNotFoundException extends ArtifactStoreException {

    public ArtifactNotFoundException(String key, Throwable cause) {
        super("no object under key " + key, cause);
    }
}
