/**
 * Reading and writing Hugging Face style checkpoints without Python: the safetensors file
 * format ({@link dev.finetune.engine.checkpoint.SafetensorsFile},
 * {@link dev.finetune.engine.checkpoint.SafetensorsWriter}), Llama-family {@code config.json}
 * ({@link dev.finetune.engine.checkpoint.LlamaConfig}) and whole checkpoint directories, single
 * file or sharded ({@link dev.finetune.engine.checkpoint.HfCheckpoint},
 * {@link dev.finetune.engine.checkpoint.HfCheckpointWriter}). Tensors travel as plain
 * {@code float[]} host arrays ({@link dev.finetune.engine.checkpoint.HostTensor}), or are streamed
 * a slice at a time into a caller's buffer ({@code readFloats(name, first, count, dst)}, which the
 * model loader points at the memory of a native array); F16 and BF16 are widened to float here,
 * in Java, because DJL cannot hold BF16 arrays reliably. Every
 * problem with an input is reported as an unchecked
 * {@link dev.finetune.engine.checkpoint.CheckpointException} whose message names the file and
 * what is wrong with it. The package is plain Java and depends on Jackson only.
 */
package dev.finetune.engine.checkpoint;
