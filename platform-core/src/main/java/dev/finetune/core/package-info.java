/**
 * Shared kernel of the fine-tuning platform, used by the API, the training worker and the
 * standalone launcher: the database schema (Flyway), the tenant-scoped domain entities and their
 * repositories, the PostgreSQL-backed job queue, the S3-compatible artifact store, and embedded
 * PostgreSQL / S3Proxy servers for tests and the one-command local platform. It is a library:
 * it has no main class and no training code, and it configures itself through
 * {@link dev.finetune.core.config.CoreAutoConfiguration}.
 */
package dev.finetune.core;
