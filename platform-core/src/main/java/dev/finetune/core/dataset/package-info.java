/**
 * Uploaded training and validation files. The bytes live in the artifact store under the
 * tenant's prefix; the row keeps where (object key), what (format, SHA-256, size) and what the
 * validator found (row count, estimated tokens, status and the list of errors as jsonb). A
 * dataset starts {@code pending} and becomes {@code valid} or {@code invalid} exactly once.
 */
package dev.finetune.core.dataset;
