package dev.finetune.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.checkpoint.SafetensorsFile;
import dev.finetune.engine.checkpoint.SafetensorsWriter;
import dev.finetune.engine.peft.AdapterJson;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.runtime.EngineRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A resumable training checkpoint directory:
 * <ul>
 *   <li>{@code trainable.safetensors}: the trainable weights by name;</li>
 *   <li>{@code optimizer.safetensors}: AdamW's moments ({@code name.exp_avg}, {@code name.exp_avg_sq});</li>
 *   <li>{@code trainer_state.json}: step, data position (micro-batch index), optimizer step count,
 *   early-stopping state, the loss history, the seed and the data fingerprint.</li>
 * </ul>
 * The RNG state is the seed: data order and dropout masks are derived from (seed, position),
 * so nothing else needs saving for a resumed run to equal an uninterrupted one bit for bit.
 */
public final class TrainingCheckpoint {

    public static final String STATE = "trainer_state.json";
    static final String TRAINABLE = "trainable.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";

    private TrainingCheckpoint() {}

    static void write(Path dir, TrainingState state, List<NamedParameter> params, AdamW optimizer) {
        try {
            Files.createDirectories(dir);
            Map<String, HostTensor> weights = new LinkedHashMap<>();
            params.forEach(p -> weights.put(p.name(), host(p.value())));
            SafetensorsWriter.write(dir.resolve(TRAINABLE), weights, Map.of("format", "pt"));
            Map<String, HostTensor> moments = new LinkedHashMap<>();
            optimizer.moments().forEach((name, mv) -> {
                moments.put(name + ".exp_avg", host(mv[0]));
                moments.put(name + ".exp_avg_sq", host(mv[1]));
            });
            SafetensorsWriter.write(dir.resolve(OPTIMIZER), moments, Map.of("format", "pt"));
            // the state file goes last: a directory without it is an incomplete checkpoint
            AdapterJson.write(dir.resolve(STATE), state.toJson(optimizer.stepCount()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir, e);
        }
    }

    /** Loads weights into {@code params} and the optimizer; returns the trainer state. */
    static TrainingState read(Path dir, List<NamedParameter> params, AdamW optimizer, NDManager manager) {
        if (!Files.exists(dir.resolve(STATE))) {
            throw new IllegalArgumentException("checkpoint " + dir + " is incomplete: " + STATE + " is missing");
        }
        JsonNode json = AdapterJson.read(dir.resolve(STATE));
        try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve(TRAINABLE));
             SafetensorsFile moments = SafetensorsFile.open(dir.resolve(OPTIMIZER))) {
            Map<String, NDArray[]> state = new LinkedHashMap<>();
            EngineRuntime.noGrad(() -> {
                for (NamedParameter p : params) {
                    if (!weights.names().contains(p.name())) {
                        throw new IllegalArgumentException("checkpoint " + dir + " has no weight '" + p.name()
                                + "': it was made with a different adapter configuration");
                    }
                    HostTensor t = weights.read(p.name());
                    if (!java.util.Arrays.equals(t.shape(), p.value().getShape().getShape())) {
                        throw new IllegalArgumentException("checkpoint weight '" + p.name() + "' has shape "
                                + java.util.Arrays.toString(t.shape()) + ", the adapter expects " + p.value().getShape());
                    }
                    p.value().set(t.data());
                    if (moments.names().contains(p.name() + ".exp_avg")) {
                        state.put(p.name(), new NDArray[] {device(manager, moments.read(p.name() + ".exp_avg")),
                                device(manager, moments.read(p.name() + ".exp_avg_sq"))});
                    }
                }
                return null;
            });
            optimizer.restore(json.path("optimizer_steps").asInt(), state);
        }
        return TrainingState.fromJson(json);
    }

    /**
     * What {@link #startFrom} took from another run's checkpoint.
     *
     * @param step the step the checkpoint was written at, in the run that wrote it
     * @param loaded trainable tensors whose weights came from the checkpoint
     * @param fresh trainable tensors the checkpoint does not have (e.g. a module only this run targets), left as initialised
     * @param optimizerRestored whether AdamW's moments and step count came along: only when both runs train
     *     exactly the same tensors (same method, rank, target modules, DoRA); otherwise the optimizer starts fresh
     */
    public record Continuation(int step, List<String> loaded, List<String> fresh, boolean optimizerRestored) {
    }

    /**
     * Starts a new run from another run's checkpoint: its adapter weights, and its optimizer state when
     * the two runs train exactly the same tensors. Counters, history, seed and data are the new run's own.
     *
     * @throws IllegalArgumentException when the checkpoint is incomplete, shares no tensor with this adapter,
     *     or has a tensor of another shape (another rank or method)
     */
    static Continuation startFrom(Path dir, List<NamedParameter> params, AdamW optimizer, NDManager manager) {
        if (!Files.exists(dir.resolve(STATE))) {
            throw new IllegalArgumentException("checkpoint " + dir + " is incomplete: " + STATE + " is missing");
        }
        JsonNode json = AdapterJson.read(dir.resolve(STATE));
        try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve(TRAINABLE));
             SafetensorsFile moments = SafetensorsFile.open(dir.resolve(OPTIMIZER))) {
            java.util.List<String> loaded = new java.util.ArrayList<>();
            java.util.List<String> fresh = new java.util.ArrayList<>();
            for (NamedParameter p : params) {
                if (!weights.names().contains(p.name())) {
                    fresh.add(p.name());
                    continue;
                }
                long[] shape = weights.read(p.name()).shape();
                if (!java.util.Arrays.equals(shape, p.value().getShape().getShape())) {
                    throw new IllegalArgumentException("the checkpoint's '" + p.name() + "' has shape "
                            + java.util.Arrays.toString(shape) + ", this adapter's " + p.value().getShape()
                            + ": the checkpoint was trained with another rank or method");
                }
                loaded.add(p.name());
            }
            if (loaded.isEmpty()) {
                throw new IllegalArgumentException("the checkpoint shares no trainable tensor with this adapter "
                        + "(it has " + weights.names().stream().sorted().limit(3).toList() + "...): it was trained "
                        + "with another method or other target modules");
            }
            boolean sameTensors = fresh.isEmpty() && weights.names().size() == params.size()
                    && params.stream().allMatch(p -> moments.names().contains(p.name() + ".exp_avg")
                            && moments.names().contains(p.name() + ".exp_avg_sq"));
            Map<String, NDArray[]> state = new LinkedHashMap<>();
            EngineRuntime.noGrad(() -> {
                for (NamedParameter p : params) {
                    if (loaded.contains(p.name())) {
                        p.value().set(weights.read(p.name()).data());
                        if (sameTensors) {
                            state.put(p.name(), new NDArray[] {device(manager, moments.read(p.name() + ".exp_avg")),
                                    device(manager, moments.read(p.name() + ".exp_avg_sq"))});
                        }
                    }
                }
                return null;
            });
            if (sameTensors) {
                optimizer.restore(json.path("optimizer_steps").asInt(), state);
            }
            return new Continuation(json.path("step").asInt(), List.copyOf(loaded), List.copyOf(fresh), sameTensors);
        }
    }

    private static NDArray device(NDManager manager, HostTensor t) {
        return manager.create(t.data(), new Shape(t.shape()));
    }

    private static HostTensor host(NDArray a) {
        return new HostTensor(a.getShape().getShape(), a.toFloatArray());
    }
}
