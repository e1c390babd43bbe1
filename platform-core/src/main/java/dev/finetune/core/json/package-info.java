/**
 * JSON as the platform stores it: one Jackson 3 ({@code tools.jackson}) mapper with snake_case
 * names that fails on unknown properties, and JPA converters that put typed values (hyperparameters,
 * metadata, validation errors) into PostgreSQL {@code jsonb} columns. Jackson 2 is on the classpath
 * only because the MinIO SDK needs it; platform code uses Jackson 3 throughout.
 */
package dev.finetune.core.json;
