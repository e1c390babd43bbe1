/**
 * Tenants and their segments. A tenant is the unit of isolation: every dataset, API key, job and
 * stored object belongs to exactly one tenant, and every repository query in the platform takes a
 * {@link dev.finetune.core.tenant.TenantId}. Segments subdivide a tenant (by team or project); a
 * segment's name is unique within its tenant only.
 */
package dev.finetune.core.tenant;
