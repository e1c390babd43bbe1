package dev.finetune.registry;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One file of a version's adapter.
 *
 * @param path relative to the artifact prefix, e.g. {@code adapter_config.json}
 * @param url a presigned GET URL, or null where none was asked for
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ArtifactFile(String path, long sizeBytes, String url) {
}
