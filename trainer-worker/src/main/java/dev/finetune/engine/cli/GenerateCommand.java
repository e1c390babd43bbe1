package dev.finetune.engine.cli;

import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.recipe.AdapterInference;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune generate}: text from a base model, optionally with a trained adapter. Prints only the text. */
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
        try (AdapterInference inference = AdapterInference.open(model, adapter, device)) {
            out().println(inference.generate(prompt, sampling, chat).text());
        }
        return OK;
    }
}
