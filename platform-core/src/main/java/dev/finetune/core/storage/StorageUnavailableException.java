package dev.finetune.core.storage;

/**
 * The object store could not be reached or broke off the exchange: connection refused, a timeout,
 * an unknown host, a connection reset in the middle of a transfer, or a 5xx of the store itself.
 * Transient by nature: the same request may succeed once the store is back. The API answers 503
 * with {@code Retry-After}; the worker pauses the job and retries with back-off.
 */
public class StorageUnavailableException extends ArtifactStoreException {

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
