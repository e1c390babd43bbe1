/**
 * The one reusable way to run a fine-tune from files, shared by the command line and the
 * platform's worker. A {@link dev.finetune.engine.recipe.FineTuneSpec} names the model directory,
 * dataset, method ({@link dev.finetune.settings.FineTuningMethod}: LoRA, QLoRA or bottleneck
 * adapter) and hyperparameters; {@link dev.finetune.engine.recipe.DataPreparation} validates and
 * tokenizes the dataset before any model is loaded; a
 * {@link dev.finetune.engine.recipe.FineTuneSession} owns model, adapter and training run, runs in
 * slices with checkpoints between them, and saves the adapter (PEFT or AdapterHub layout, plus
 * {@code training_summary.json}) or a merged checkpoint; {@link
 * dev.finetune.engine.recipe.AdapterInference} generates text with a trained adapter. Nothing here
 * prints or exits: callers decide how to report.
 */
package dev.finetune.engine.recipe;
