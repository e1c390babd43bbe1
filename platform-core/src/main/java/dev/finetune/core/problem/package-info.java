/**
 * The platform's error vocabulary: {@link dev.finetune.core.problem.ProblemKind} lists every kind
 * of problem with a stable type URI, {@link dev.finetune.core.problem.PlatformProblem} carries one
 * with its detail and extension fields to the API's RFC 9457 handler.
 */
package dev.finetune.core.problem;
