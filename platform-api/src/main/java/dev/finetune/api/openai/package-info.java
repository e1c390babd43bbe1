/**
 * The OpenAI-compatible fine-tuning surface, {@code /v1/files} and {@code /v1/fine_tuning/jobs}, beside
 * the native {@code /api/v1}: OpenAI's request and response shapes (unix-second timestamps, string
 * ids, {@code has_more} lists, {@code {"error": {...}}} errors) over the one implementation the native
 * API uses ({@code DatasetFiles}, {@code JobSubmission}, {@code JobCancellation}, {@code JobQueries},
 * {@code JobViews}), with the same keys, scopes and tenant isolation. The serving module owns
 * {@code /v1/chat/completions}, {@code /v1/completions} and {@code /v1/models}.
 */
package dev.finetune.api.openai;
