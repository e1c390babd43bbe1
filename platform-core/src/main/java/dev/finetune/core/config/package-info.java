/**
 * Spring Boot wiring of the kernel. {@link dev.finetune.core.config.CoreAutoConfiguration} is
 * picked up automatically by any Boot application that has this module on its classpath: it adds
 * {@code dev.finetune.core} to the packages scanned for entities and Spring Data repositories
 * (without disturbing the application's own), binds {@code finetune.queue.*} and, when
 * {@code finetune.storage.endpoint} is set, {@code finetune.storage.*}, and provides the
 * {@link dev.finetune.core.queue.JobQueue} and {@link dev.finetune.core.storage.ArtifactStore} beans.
 */
package dev.finetune.core.config;
