package dev.finetune.serving.runtime;

import java.time.Instant;

import dev.finetune.core.job.CheckpointRef;
import dev.finetune.settings.FineTuningMethod;

/**
 * A job's checkpoint named as a {@code model} ({@code <job id>:step-<n>}, the API's
 * {@code fine_tuned_model_checkpoint}), resolved for the caller's tenant: the adapter the worker
 * saved beside the checkpoint's training state, loaded like a version's files but never pinned.
 *
 * @param ref the job and step
 * @param segment the segment the job trained for (its {@code owned_by})
 * @param method how the job trained, so a QLoRA checkpoint runs on the NF4 base
 * @param filesPrefix where its adapter files are in object storage
 * @param sizeBytes their total size, for the cache's byte bound
 * @param createdAt when the checkpoint was written
 */
public record ServedCheckpoint(CheckpointRef ref, String segment, FineTuningMethod method, String filesPrefix,
        long sizeBytes, Instant createdAt) {

    /** {@code <job id>:step-<n>}. */
    public String name() {
        return ref.name();
    }
}
