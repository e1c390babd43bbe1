package dev.finetune.registry;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What a reference stands for right now: the concrete version and where its files are.
 *
 * @param artifactUri {@code s3://bucket/prefix/} of the adapter's files
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ResolvedAdapter(String ref, String alias, AdapterVersion version, String artifactUri) {
}
