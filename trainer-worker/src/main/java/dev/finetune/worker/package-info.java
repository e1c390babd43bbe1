/**
 * The training worker: a Spring Boot + Spring Batch application around the plain-Java engine
 * ({@code dev.finetune.engine}). {@code loop} claims jobs from the PostgreSQL queue, keeps their
 * lease alive and stops gracefully; {@code batch} is the Spring Batch job that prepares data,
 * trains in checkpointed slices, evaluates and publishes the adapter; {@code observe} has the
 * Micrometer metrics and the health indicator. Nothing here is imported by the engine.
 */
package dev.finetune.worker;
