/**
 * Training hyperparameters as a typed, validated value with PEFT-style defaults. The JSON form
 * (snake_case, as clients send it and as the jsonb column stores it) is read with Jackson 3;
 * omitted fields take their defaults, unknown fields are rejected, and every violated rule throws
 * an {@link dev.finetune.core.hyperparameters.InvalidHyperparameterException} whose message starts
 * with the JSON field name, e.g. {@code lora_r must be > 0}.
 */
package dev.finetune.core.hyperparameters;
