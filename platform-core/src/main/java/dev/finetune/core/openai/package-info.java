/**
 * What the OpenAI-compatible surfaces ({@code /v1/files}, {@code /v1/fine_tuning/jobs} in the API,
 * {@code /v1/chat/completions}, {@code /v1/completions}, {@code /v1/models} in serving) share: the
 * error body {@link dev.finetune.core.openai.OpenAiError} made from the platform's problems.
 */
package dev.finetune.core.openai;
