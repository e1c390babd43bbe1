package dev.finetune.registry;

import dev.finetune.core.common.Checks;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.core.tenant.SegmentName;

/**
 * Filters of a version search; every null filter matches everything.
 *
 * @param tagKey with {@code tagValue} null: versions having the tag at all
 * @param baseModel a base model id or name
 * @param includeArchived archived versions are hidden unless this is true
 */
public record VersionQuery(SegmentName segment, String tagKey, String tagValue, FineTuningMethod method,
        String baseModel, Double maxEvalLoss, boolean includeArchived) {

    public VersionQuery {
        if (tagValue != null && tagKey == null) {
            throw new IllegalArgumentException("tag must name a key");
        }
        Checks.maxLength(baseModel, 255, "base_model");
    }

    public static VersionQuery all() {
        return new VersionQuery(null, null, null, null, null, null, false);
    }

    public static VersionQuery of(SegmentName segment) {
        return new VersionQuery(segment, null, null, null, null, null, false);
    }

    public VersionQuery withArchived() {
        return new VersionQuery(segment, tagKey, tagValue, method, baseModel, maxEvalLoss, true);
    }
}
