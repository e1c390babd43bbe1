package dev.finetune.engine.bottleneck;

import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.peft.AdapterMethod;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.peft.MethodConfig;
import dev.finetune.engine.peft.TrainableAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Bottleneck adapters (Pfeiffer, Houlsby) in AdapterHub's layout: {@code adapter_config.json} and
 * {@code adapter.safetensors}. They add layers of their own, so they cannot be merged.
 */
public final class BottleneckMethod implements AdapterMethod {

    public static final BottleneckMethod INSTANCE = new BottleneckMethod();

    private BottleneckMethod() {}

    @Override
    public String name() {
        return "bottleneck";
    }

    @Override
    public String layout() {
        return "AdapterHub bottleneck";
    }

    @Override
    public String expectedFiles() {
        return AdapterHubFiles.CONFIG + " and " + AdapterHubFiles.WEIGHTS;
    }

    @Override
    public Class<BottleneckConfig> configType() {
        return BottleneckConfig.class;
    }

    @Override
    public BottleneckAdapter attach(LlamaModel model, MethodConfig config, long seed) {
        if (!(config instanceof BottleneckConfig bottleneck)) {
            throw new IllegalArgumentException("the bottleneck method needs a BottleneckConfig, got "
                    + (config == null ? "none" : config.getClass().getSimpleName()));
        }
        return BottleneckAdapter.attach(model, bottleneck, seed);
    }

    @Override
    public boolean recognizes(Path dir) {
        return Files.exists(dir.resolve(AdapterHubFiles.WEIGHTS));
    }

    @Override
    public BottleneckAdapter load(Path dir, LlamaModel model) {
        return AdapterHubFiles.load(dir, model);
    }

    @Override
    public void save(TrainableAdapter adapter, Path dir, BaseModelRef base) {
        if (!(adapter instanceof BottleneckAdapter bottleneck)) {
            throw new IllegalArgumentException("the bottleneck method cannot handle a " + adapter.method().name()
                    + " adapter");
        }
        AdapterHubFiles.write(dir, bottleneck, base);
    }

    @Override
    public Optional<String> mergeRefusal() {
        return Optional.of("a bottleneck adapter adds layers of its own and cannot be folded into the base weights");
    }

    @Override
    public String toString() {
        return name();
    }
}
