/**
 * The {@code finetune} command line (picocli): {@code train} turns flags into a
 * {@link dev.finetune.engine.recipe.FineTuneSpec} and runs a
 * {@link dev.finetune.engine.recipe.FineTuneSession} in slices with checkpoints, printing the
 * trainer's fixed-format progress lines; {@code generate} samples from a model with an optional
 * adapter; {@code validate} reports every bad dataset record. All output goes through picocli's
 * writers and failures map to exit codes in one place ({@code CliCommand}); the entry point is
 * {@link dev.finetune.engine.cli.FinetuneCli}.
 */
package dev.finetune.engine.cli;
