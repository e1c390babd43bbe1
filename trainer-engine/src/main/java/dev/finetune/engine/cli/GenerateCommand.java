package dev.finetune.engine.cli;

import dev.finetune.engine.model.GenerationTiming;
import dev.finetune.engine.method.AdapterMethods;
import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.model.WeightStorage;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.engine.recipe.AdapterInference;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code finetune generate}: text from a base model, optionally with a trained adapter. Prints only the
 * text on stdout; {@code --timing} adds one line of token counts and speeds on stderr.
 */
@Command(name = "generate", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Generate text with a base model and optionally an adapter (PEFT LoRA or AdapterHub). "
                + "Prints the prompt and its continuation; with an empty prompt, generation starts from BOS and "
                + "only the generated text is printed.")
final class GenerateCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Base model checkpoint directory.")
    Path model;
    @Option(names = "--adapter", paramLabel = "DIR", description = "Adapter directory written by train (or by PEFT / AdapterHub).")
    Path adapter;
    @Option(names = "--prompt", defaultValue = "", paramLabel = "TEXT", description = "Text to continue; empty starts from BOS (default: empty).")
    String prompt;
    @Option(names = "--chat", description = "Send the prompt as a user turn through the model's chat template (for adapters trained on conversations).")
    boolean chat;
    @Option(names = "--max-new-tokens", defaultValue = "64", paramLabel = "N", description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;
    @Option(names = "--temperature", defaultValue = "0.7", paramLabel = "T", description = "Sampling temperature; 0 is greedy and deterministic (default: ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--top-p", defaultValue = "0.9", paramLabel = "P", description = "Nucleus sampling threshold in (0, 1]; 1 disables (default: ${DEFAULT-VALUE}).")
    double topP;
    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Sampling seed: the same seed repeats the same text (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda", description = "Where to run (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--base-weights", defaultValue = "auto", paramLabel = "auto|dense|nf4",
            description = "How to hold the base model's frozen weights: auto (as the adapter was trained: nf4 for a "
                    + "qlora adapter, dense otherwise), dense, or nf4 (default: ${DEFAULT-VALUE}).")
    String baseWeights;

    @Option(names = "--timing", description = "After the text, print one line to stderr: prompt and generated token "
            + "counts, prefill and decode times and tokens/s.")
    boolean timing;

    @Override
    FlagNames flagNames() {
        return FlagNames.GENERATE;
    }

    @Override
    int execute() {
        SamplingOptions sampling = new SamplingOptions(maxNewTokens, temperature, topP, seed, true);
        if (!device.matches("cpu|cuda(:\\d+)?")) {
            throw new IllegalArgumentException("--device must be cpu, cuda or cuda:N, got '" + device + "'");
        }
        WeightStorage storage = switch (baseWeights) {
            case "auto" -> null;
            case "dense" -> WeightStorage.DENSE;
            case "nf4" -> AdapterMethods.of(FineTuningMethod.QLORA).baseWeights();
            default -> throw new IllegalArgumentException("--base-weights must be auto, dense or nf4, got '" + baseWeights + "'");
        };
        try (AdapterInference inference = AdapterInference.open(model, adapter, device, storage)) {
            AdapterInference.Generation generation = inference.generate(prompt, sampling, chat);
            out().println(generation.text());
            out().flush();
            if (adapter != null || storage != null) {
                // which base the answer came from: a qlora adapter on a dense base answers differently
                err().println("base: " + inference.baseWeights().describe());
            }
            if (timing) {
                err().println(timingLine(generation.timing()));
            }
        }
        return OK;
    }

    /**
     * {@code timing: prompt 6 tokens, prefill 4.2 ms (1428.6 tok/s) | generated 16 tokens, decode 31.5 ms
     * for 15 (476.2 tok/s) | total 35.7 ms}. Prefill is the forward over the prompt and yields the first
     * new token; decode produces each further one.
     */
    static String timingLine(GenerationTiming t) {
        return String.format(Locale.ROOT, "timing: prompt %d tokens, prefill %.1f ms (%s tok/s) | generated %d tokens, "
                        + "decode %.1f ms for %d (%s tok/s) | total %.1f ms",
                t.promptTokens(), t.prefillNanos() / 1e6, rate(t.promptTokensPerSecond()), t.generatedTokens(),
                t.decodeNanos() / 1e6, t.decodedTokens(), rate(t.decodeTokensPerSecond()),
                (t.prefillNanos() + t.decodeNanos()) / 1e6);
    }

    private static String rate(double perSecond) {
        return Double.isNaN(perSecond) ? "n/a" : String.format(Locale.ROOT, "%.1f", perSecond);
    }
}
