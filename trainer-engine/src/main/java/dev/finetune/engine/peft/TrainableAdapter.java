package dev.finetune.engine.peft;

import dev.finetune.engine.checkpoint.HostTensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An adapter of some {@link AdapterMethod} attached to a frozen base model (LoRA, bottleneck adapters).
 * The trainer only sees this: the parameters to optimise, a training switch (dropout), and the
 * method that made it, which writes the artifact in the layout other tools read.
 */
public interface TrainableAdapter extends AutoCloseable {

    /** The method that made this adapter and saves, loads and merges it. */
    AdapterMethod method();

    List<NamedParameter> parameters();

    /** Dropout on in training, off for evaluation and generation. */
    void setTraining(boolean training);

    /** Writes the adapter directory (config + weights) in its method's layout. */
    default void save(Path dir, BaseModelRef base) {
        method().save(this, dir, base);
    }

    /** The parameters copied to the host by name, in parameter order: what an adapter's weights file holds. */
    default Map<String, HostTensor> weights() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (NamedParameter p : parameters()) {
            out.put(p.name(), new HostTensor(p.value().getShape().getShape(), p.value().toFloatArray()));
        }
        return out;
    }

    default long parameterCount() {
        return parameters().stream().mapToLong(p -> p.value().size()).sum();
    }

    @Override
    void close();
}
