/**
 * Fine-tuning jobs and their life cycle. {@link dev.finetune.core.job.JobStatus} holds the
 * explicit transition table (validating_files → queued → running → succeeded/failed, with
 * cancellation through cancelling → cancelled); {@link dev.finetune.core.job.FineTuningJob}
 * refuses illegal moves with {@link dev.finetune.core.job.IllegalJobTransitionException}, the
 * database refuses unknown statuses with a CHECK constraint, and {@code @Version} stops two
 * writers from overwriting each other. Lease columns belong to the job queue and are read-only
 * here. Status changes are published as past-tense events.
 */
package dev.finetune.core.job;
