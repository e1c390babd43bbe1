package dev.finetune.engine.peft;

import dev.finetune.engine.model.LlamaModel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One parameter-efficient method, everything the engine does with it: attach a fresh trainable
 * adapter to a loaded model, recognise a saved adapter directory of its ecosystem, load one onto a
 * model, save a trained one in that layout, and fold it into the base weights where the method allows.
 * Each method lives in its own package ({@code lora}, {@code bottleneck}) and is registered with one
 * line in {@code dev.finetune.engine.method.AdapterMethods}; the recipe, the CLI and the trainer
 * only ever talk to this interface and to the {@link TrainableAdapter} it returns.
 */
public interface AdapterMethod {

    /** Short lower-case name for messages ({@code lora}, {@code bottleneck}). */
    String name();

    /** The saved layout as people know it ({@code PEFT LoRA}, {@code AdapterHub bottleneck}). */
    String layout();

    /** What a directory of this layout holds, for error messages that list what would have been loaded. */
    String expectedFiles();

    /** The settings type {@link #attach} takes. */
    Class<? extends MethodConfig> configType();

    /**
     * Wraps {@code model} with a new adapter whose initial weights are drawn from {@code seed}.
     *
     * @throws IllegalArgumentException when {@code config} is not this method's or does not fit the model
     */
    TrainableAdapter attach(LlamaModel model, MethodConfig config, long seed);

    /**
     * Whether {@code dir} holds an adapter saved in this method's layout (by its file names and, where
     * the layout has one, the type its config declares).
     *
     * @throws AdapterLoadException when the directory is evidently this method's but must not be loaded
     *     (e.g. a pickle file instead of safetensors)
     */
    boolean recognizes(Path dir);

    /**
     * Reads the adapter in {@code dir} and attaches it to {@code model}.
     *
     * @throws AdapterLoadException when the files are unreadable, unsupported or made for another base model
     */
    TrainableAdapter load(Path dir, LlamaModel model);

    /** Writes {@code adapter} (one this method made) to {@code dir} in the layout {@link #load} reads. */
    void save(TrainableAdapter adapter, Path dir, BaseModelRef base);

    /**
     * Why this method's adapters cannot be folded into the base weights; empty when they can (LoRA).
     */
    Optional<String> mergeRefusal();

    default boolean mergeable() {
        return mergeRefusal().isEmpty();
    }

    /**
     * Writes base + {@code adapter} folded into one Hugging Face checkpoint in {@code outDir}, with the
     * tokenizer files copied from {@code tokenizerSourceDir}.
     *
     * @throws IllegalStateException when the method is not {@link #mergeable()}, saying why
     */
    default void writeMerged(TrainableAdapter adapter, Path outDir, Path tokenizerSourceDir) {
        throw new IllegalStateException(name() + " adapters cannot be merged: " + mergeRefusal().orElse("unsupported"));
    }
}
