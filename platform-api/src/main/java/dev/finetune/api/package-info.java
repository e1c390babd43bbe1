/**
 * The platform's REST API under {@code /api/v1}, packaged by feature: {@code security} (API-key
 * authentication, the bootstrap operator key), {@code problem} (every error as an RFC 9457
 * problem), {@code tenancy} (tenants, keys, segments), {@code dataset} (streamed, validated
 * uploads), {@code basemodel} (the checkpoint catalog), {@code job} (fine-tuning jobs, their
 * events over SSE, metrics and checkpoints) and {@code observability} (gauges, MDC, OpenAPI).
 * Controllers use core's repositories directly and receive the
 * {@link dev.finetune.core.security.Caller} as their principal.
 */
package dev.finetune.api;
