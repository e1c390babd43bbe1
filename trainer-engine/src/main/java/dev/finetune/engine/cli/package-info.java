/**
 * The {@code finetune} command line (picocli): {@code train} turns flags into a
 * {@link dev.finetune.engine.recipe.FineTuneSpec} and runs a
 * {@link dev.finetune.engine.recipe.FineTuneSession} in slices with checkpoints, showing progress
 * through a {@code TrainingDisplay} (a progress bar on a terminal, the trainer's fixed-format lines
 * otherwise); {@code generate} samples from a model with an optional adapter and can time prefill and
 * decode; {@code validate} reports every bad dataset record. All output goes through picocli's
 * writers and failures map to exit codes in one place ({@code CliCommand}, and {@code UsageErrors}
 * for flags picocli cannot parse); every error names flags, never the Java or API field names of the
 * settings behind them ({@code FlagNames}). The entry point is
 * {@link dev.finetune.engine.cli.FinetuneCli}.
 */
package dev.finetune.engine.cli;
