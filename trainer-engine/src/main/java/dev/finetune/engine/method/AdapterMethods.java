package dev.finetune.engine.method;

import dev.finetune.engine.bottleneck.BottleneckMethod;
import dev.finetune.engine.lora.LoraMethod;
import dev.finetune.engine.model.WeightStorage;
import dev.finetune.engine.peft.AdapterJson;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.peft.AdapterMethod;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.settings.FineTuningMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The registry of adapter methods: what each user-facing {@link FineTuningMethod} means to the engine
 * (an {@link AdapterMethod} and how the frozen base is stored), and which method a saved adapter
 * directory belongs to. This is the one place that maps names to methods; everything else asks here.
 *
 * <p>A new method is a package implementing {@link AdapterMethod} plus one line in {@link #CHOICES}
 * (and its user-facing name in {@link FineTuningMethod}); a new quantization is a
 * {@link WeightStorage} in its own package plus one line here pairing it with a method.
 */
public final class AdapterMethods {

    /**
     * What one user-facing method trains.
     *
     * @param method the adapter method that attaches, saves, loads and merges
     * @param baseWeights how the frozen base model's projections are held while training
     */
    public record Choice(AdapterMethod method, WeightStorage baseWeights) {}

    private static final Map<FineTuningMethod, Choice> CHOICES = new EnumMap<>(Map.of(
            FineTuningMethod.LORA, new Choice(LoraMethod.INSTANCE, WeightStorage.DENSE),
            FineTuningMethod.QLORA, new Choice(LoraMethod.INSTANCE, Nf4Storage.DEFAULT),
            FineTuningMethod.ADAPTER, new Choice(BottleneckMethod.INSTANCE, WeightStorage.DENSE)));

    /** Every registered method once, in {@link FineTuningMethod} order (the order saved directories are tried in). */
    private static final List<AdapterMethod> METHODS = CHOICES.values().stream().map(Choice::method).distinct().toList();

    static {
        for (FineTuningMethod m : FineTuningMethod.values()) {
            if (!CHOICES.containsKey(m)) {
                throw new IllegalStateException("no adapter method is registered for method " + m.wireName());
            }
        }
    }

    private AdapterMethods() {}

    /** The adapter method and base-weight storage that {@code method} trains with. */
    public static Choice of(FineTuningMethod method) {
        return CHOICES.get(method);
    }

    /** Every registered adapter method. */
    public static List<AdapterMethod> all() {
        return METHODS;
    }

    /** The user-facing names whose adapters can be merged, for messages: {@code lora or qlora}. */
    public static String mergeableNames() {
        return CHOICES.entrySet().stream().filter(e -> e.getValue().method().mergeable())
                .map(e -> e.getKey().wireName()).collect(Collectors.joining(" or "));
    }

    /**
     * The method that saved the adapter in {@code dir}.
     *
     * @throws AdapterLoadException when {@code dir} is missing or no method recognises it; the message lists
     *     what the directory holds and what each method would have needed
     */
    public static AdapterMethod detect(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new AdapterLoadException("adapter directory " + dir + " does not exist");
        }
        for (AdapterMethod method : METHODS) {
            if (method.recognizes(dir)) {
                return method;
            }
        }
        String expected = METHODS.stream().map(m -> m.layout() + " (" + m.expectedFiles() + ")")
                .collect(Collectors.joining(" or "));
        throw new AdapterLoadException(dir + " is not an adapter directory this engine can load: it holds "
                + found(dir) + "; expected " + expected);
    }

    /** The directory's file names (the first 10), with the peft_type its adapter_config.json declares. */
    private static String found(Path dir) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (names.isEmpty()) {
            return "no files";
        }
        List<String> shown = new ArrayList<>(names.subList(0, Math.min(10, names.size())));
        if (names.size() > shown.size()) {
            shown.add("and " + (names.size() - shown.size()) + " more");
        }
        String listing = String.join(", ", shown);
        Path config = dir.resolve("adapter_config.json");
        if (Files.isRegularFile(config)) {
            String type = AdapterJson.read(config).path("peft_type").asText("");
            if (!type.isEmpty()) {
                listing += " (adapter_config.json has peft_type '" + type + "')";
            }
        }
        return listing;
    }
}
