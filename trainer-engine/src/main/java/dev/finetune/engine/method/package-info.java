/**
 * The registry of adapter methods ({@link dev.finetune.engine.method.AdapterMethods}): the one place
 * that maps a user-facing {@link dev.finetune.settings.FineTuningMethod} to an
 * {@link dev.finetune.engine.peft.AdapterMethod} (LoRA in {@code lora}, bottleneck adapters in
 * {@code bottleneck}) and a {@link dev.finetune.engine.model.WeightStorage} for the frozen base
 * (dense, or NF4 from {@code quant}: QLoRA is LoRA on NF4 storage), and that tells which method saved
 * an adapter directory. The recipe and the CLI dispatch through it instead of branching on methods.
 */
package dev.finetune.engine.method;
