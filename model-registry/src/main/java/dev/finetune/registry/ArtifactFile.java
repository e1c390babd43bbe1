package dev.finetune.registry;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One file of a version's adapter.
 *
 * @param path relative to the artifact prefix, e.g. {@code adapter_config.json}
 * @param url where to download it, by {@code finetune.downloads.mode}: a presigned GET URL of the
 *         object store (no API key needed, valid for minutes) or the API's own streaming endpoint
 *         ({@code .../versions/{n}/download?file=...}, with the API key); null where none was asked for
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ArtifactFile(String path, long sizeBytes, String url) {
}
