package dev.finetune.engine.peft;

import java.nio.file.Path;
import java.util.List;

/**
 * A parameter-efficient method attached to a frozen base model (LoRA, bottleneck adapters).
 * The trainer only sees this: the parameters to optimise, a training switch (dropout), and
 * how to write the artifact in the layout other tools read.
 */
public interface TrainableAdapter extends AutoCloseable {

    /** {@code lora}, {@code qlora} or {@code adapter}, as the platform names methods. */
    String method();

    List<NamedParameter> parameters();

    /** Dropout on in training, off for evaluation and generation. */
    void setTraining(boolean training);

    /** Writes the adapter directory (config + weights) in its ecosystem's layout. */
    void save(Path dir, BaseModelRef base);

    default long parameterCount() {
        return parameters().stream().mapToLong(p -> p.value().size()).sum();
    }

    @Override
    void close();
}
