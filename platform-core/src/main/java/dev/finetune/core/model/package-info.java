/**
 * Base models that jobs fine-tune. A base model is either global (no tenant, stored under
 * {@code base-models/}) and visible to all tenants, or private to one tenant (stored under that
 * tenant's prefix). The row records where its files are and a small summary of its config
 * (architecture, hidden size, layers, vocabulary) as jsonb; a tenant's own model shadows a
 * global one of the same name.
 */
package dev.finetune.core.model;
