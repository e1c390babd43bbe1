/**
 * The training settings the platform, the worker, the engine and the CLI share, defined once: the
 * choices ({@link dev.finetune.settings.FineTuningMethod}, {@link dev.finetune.settings.LrScheduler},
 * {@link dev.finetune.settings.AdapterKind}, {@link dev.finetune.settings.DatasetFormat}, each with its
 * lower-case wire name), {@link dev.finetune.settings.TargetModules}, the method-independent
 * {@link dev.finetune.settings.TrainingSettings} and the sealed
 * {@link dev.finetune.settings.MethodSettings} ({@link dev.finetune.settings.LoraSettings},
 * {@link dev.finetune.settings.BottleneckSettings}). Every default is a constant with a comment saying
 * why; every rule throws an {@link dev.finetune.settings.InvalidSettingException} naming the
 * snake_case field. Plain Java with no dependencies (an enforcer rule and ArchUnit hold it).
 */
package dev.finetune.settings;
