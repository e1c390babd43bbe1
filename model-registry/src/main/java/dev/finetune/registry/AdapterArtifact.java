package dev.finetune.registry;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Where a version's adapter lies: a prefix (ending in '/') inside the tenant's part of the bucket,
 * the sha256 of its weights file (as the worker computed it before upload) and the total size of
 * its files in bytes.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AdapterArtifact(String prefix, String sha256, long sizeBytes) {
}
