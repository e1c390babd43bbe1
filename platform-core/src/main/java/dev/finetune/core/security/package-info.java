/**
 * The authenticated caller as every module sees it: a tenant, a key and its scopes. The API's
 * security filter creates it from the {@code Authorization: Bearer ftk_...} header; nothing else
 * decides which tenant a request belongs to.
 */
package dev.finetune.core.security;
