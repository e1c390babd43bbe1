/**
 * Artifact storage on any S3-compatible service (MinIO, AWS S3, S3Proxy) through the MinIO Java
 * SDK. {@link dev.finetune.core.storage.ObjectKeys} fixes the per-tenant layout so that a tenant's
 * objects all live under {@code tenants/{tenant}/}; {@link dev.finetune.core.storage.ArtifactStore}
 * puts, gets, lists, deletes and presigns objects and turns SDK failures into unchecked
 * {@link dev.finetune.core.storage.ArtifactStoreException}s.
 */
package dev.finetune.core.storage;
