/**
 * The model registry: one adapter repository per tenant and segment, holding immutable, numbered
 * versions with their lineage (job, base model and weights, datasets, method, hyperparameters,
 * metrics, artifact), aliases such as {@code production} moved through a per-repository promotion
 * gate, and the audit trail of every move. Other modules use it only through
 * {@link dev.finetune.registry.AdapterRegistry}, and the worker through the completion outbox of
 * {@link dev.finetune.core.job.FineTuningSucceeded}, which {@code JobCompletions} consumes; the tables and stores behind it are
 * package-private. The REST API lives in {@code dev.finetune.registry.web}.
 */
package dev.finetune.registry;
