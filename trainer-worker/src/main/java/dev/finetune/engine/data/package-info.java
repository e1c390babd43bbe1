/**
 * Training data, from the files users have to the padded batches the trainer consumes.
 * {@link dev.finetune.engine.data.DatasetReader} reads JSON Lines, JSON arrays and raw text in the
 * common layouts ({@link dev.finetune.engine.data.DatasetFormat}: chat messages, Alpaca instruction,
 * prompt/completion, ShareGPT with tool calls, plain text; keys renamed through
 * {@link dev.finetune.engine.data.FieldMapping}) and validates every record before any training,
 * reporting each bad one with its line and field. Records become normalised
 * {@link dev.finetune.engine.data.Example}s of {@link dev.finetune.engine.data.Turn}s, which
 * {@link dev.finetune.engine.data.ExampleEncoder} renders with the checkpoint's Jinja
 * {@link dev.finetune.engine.data.ChatTemplate} (or a plain-text default) and tokenizes with loss
 * masks on the assistant's tokens only; {@link dev.finetune.engine.data.SequencePacker} packs them
 * into rows with per-example positions and segment ids, {@link dev.finetune.engine.data.BatchCollator}
 * pads rows into a {@link dev.finetune.engine.data.Batch}, and
 * {@link dev.finetune.engine.data.DatasetSplit} holds out a seeded evaluation split.
 */
package dev.finetune.engine.data;
