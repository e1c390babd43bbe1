package dev.finetune.core.storage;

import java.time.Instant;

/** What the store knows about one object; {@code contentType} is null in listings. */
public record ObjectInfo(String key, long size, String etag, Instant lastModified, String contentType) {
}
