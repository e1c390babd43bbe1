/**
 * The registry's REST API under {@code /api/v1/registry}: Spring MVC controllers that the API
 * application's component scan picks up. They receive the authenticated
 * {@link dev.finetune.core.security.Caller}, check its scope (read for reads, submit for alias moves,
 * tags and archiving, admin for deletion and gate settings) and call only
 * {@link dev.finetune.registry.AdapterRegistry}. Errors are {@link dev.finetune.core.problem.PlatformProblem}s,
 * which the API renders as RFC 9457 problem details.
 */
package dev.finetune.registry.web;
