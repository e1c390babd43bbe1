/**
 * Training data, from the files users have to the padded batches the trainer consumes.
 * {@link dev.finetune.data.DatasetReader} reads JSON Lines, JSON arrays and raw text in the
 * common layouts ({@link dev.finetune.settings.DatasetFormat}: chat messages, Alpaca instruction,
 * prompt/completion, ShareGPT with tool calls, plain text; keys renamed through
 * {@link dev.finetune.data.FieldMapping}) and validates every record before any training,
 * reporting each bad one with its line and field. Records become normalised
 * {@link dev.finetune.data.Example}s of {@link dev.finetune.data.Turn}s, which
 * {@link dev.finetune.data.ExampleEncoder} renders with the checkpoint's Jinja
 * {@link dev.finetune.data.ChatTemplate} (or a plain-text default) and tokenizes with loss
 * masks on the assistant's tokens only; {@link dev.finetune.data.SequencePacker} packs them
 * into rows with per-example positions and segment ids, {@link dev.finetune.data.BatchCollator}
 * pads rows into a {@link dev.finetune.data.Batch}, and
 * {@link dev.finetune.data.DatasetSplit} holds out a seeded evaluation split.
 */
package dev.finetune.data;
