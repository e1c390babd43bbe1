package dev.finetune.engine.cli;

import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.data.DatasetSpec;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.method.AdapterMethods;
import dev.finetune.engine.peft.AdapterMethod;
import dev.finetune.engine.recipe.FineTuneSession;
import dev.finetune.engine.recipe.FineTuneSpec;
import dev.finetune.engine.recipe.PreparedData;
import dev.finetune.engine.recipe.TrainingReport;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.engine.train.TrainingListener;
import dev.finetune.engine.train.TrainingSummary;
import dev.finetune.settings.AdapterKind;
import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.LrScheduler;
import dev.finetune.settings.TargetModules;
import dev.finetune.settings.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune train}: flags to a {@link FineTuneSpec}, a session run in slices, the adapter written to --out. */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true, defaultValueProvider = SettingsDefaults.class,
        description = "Fine-tune a base model on a dataset with LoRA, QLoRA or a bottleneck adapter and write the "
                + "adapter to --out. On a terminal it shows a progress bar with ETA; otherwise it prints one "
                + "progress line every --log-every steps. A summary follows at the end.")
final class TrainCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face checkpoint directory (config.json, model.safetensors, tokenizer.json).")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Dataset: .jsonl, .json (array) or .txt.")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the adapter, training_summary.json, checkpoints/ and merged/ go.")
    Path out;
    @Option(names = "--method", paramLabel = "lora|qlora|adapter", description = "Fine-tuning method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--max-steps", defaultValue = "0", paramLabel = "N", description = "Optimizer steps to run; 0 (the default) derives them from --epochs.")
    int maxSteps;
    @Option(names = "--epochs", paramLabel = "E", description = "Passes over the training data when --max-steps is 0 (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--learning-rate", paramLabel = "LR", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;
    @Option(names = "--batch-size", paramLabel = "N", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--grad-accum", paramLabel = "N", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradAccum;
    @Option(names = "--max-seq-len", paramLabel = "N", description = "Longest sequence in tokens, capped at the model's max_position_embeddings (default: ${DEFAULT-VALUE}).")
    int maxSeqLen;

    @Option(names = "--lora-r", paramLabel = "N", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int loraR;
    @Option(names = "--lora-alpha", paramLabel = "A", description = "LoRA alpha; the update is scaled by alpha/r (default: ${DEFAULT-VALUE}).")
    int loraAlpha;
    @Option(names = "--lora-dropout", paramLabel = "P", description = "Dropout on the LoRA input while training (default: ${DEFAULT-VALUE}).")
    double loraDropout;
    @Option(names = "--target-modules", split = ",", paramLabel = "LIST", description = "Comma list of projections to adapt, or all-linear (default: ${DEFAULT-VALUE}).")
    List<String> targetModules;
    @Option(names = "--use-rslora", description = "Rank-stabilised LoRA scaling alpha/sqrt(r).")
    boolean useRslora;
    @Option(names = "--use-dora", description = "Weight-decomposed LoRA (DoRA, PEFT's use_dora): also trains a magnitude per output feature (lora/qlora).")
    boolean useDora;
    @Option(names = "--adapter-kind", paramLabel = "pfeiffer|houlsby", description = "Bottleneck layout for --method adapter (default: ${DEFAULT-VALUE}).")
    String adapterKind;
    @Option(names = "--reduction-factor", paramLabel = "N", description = "Adapter bottleneck width is hidden_size / this (default: ${DEFAULT-VALUE}).")
    int reductionFactor;

    @Option(names = "--lr-scheduler", paramLabel = "constant|linear|cosine", description = "Decay after warmup (default: ${DEFAULT-VALUE}).")
    String lrScheduler;
    @Option(names = "--warmup-ratio", paramLabel = "R", description = "Share of steps spent warming up from 0 (default: ${DEFAULT-VALUE}).")
    double warmupRatio;
    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW decoupled weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;
    @Option(names = "--max-grad-norm", paramLabel = "N", description = "Clip the global gradient norm; 0 disables clipping (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;
    @Option(names = "--seed", defaultValue = "" + TrainingConfig.DEFAULT_SEED, paramLabel = "S", description = "Seeds adapter init, eval split, data order and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-fraction", defaultValue = "0.1", paramLabel = "F", description = "Share of examples held out for eval; 0 disables eval (default: ${DEFAULT-VALUE}).")
    double evalFraction;
    @Option(names = "--eval-every", defaultValue = "0", paramLabel = "N", description = "Evaluate every N steps; 0 (the default) at the end of every epoch. Both also after the last step.")
    int evalEvery;
    @Option(names = "--early-stopping-patience", defaultValue = "0", paramLabel = "N", description = "Stop after N evals without improvement; 0 (the default) never stops early.")
    int patience;
    @Option(names = "--log-every", defaultValue = "" + TrainingConfig.DEFAULT_LOG_EVERY, paramLabel = "N", description = "Print a progress line every N steps when stdout is not a terminal (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "FORMAT", description = "chat, instruction, completion, sharegpt, text, or auto to detect (default: ${DEFAULT-VALUE}).")
    String format;
    @Option(names = "--prompt-field", paramLabel = "KEY", description = "JSON key holding the prompt of completion records (e.g. question).")
    String promptField;
    @Option(names = "--completion-field", paramLabel = "KEY", description = "JSON key holding the completion (e.g. answer).")
    String completionField;
    @Option(names = "--train-on-inputs", description = "Also train on prompt tokens, not only the answers.")
    boolean trainOnInputs;
    @Option(names = "--packing", description = "Pack several examples into each sequence (attention stays per example).")
    boolean packing;
    @Option(names = "--no-block-recompute", description = "Keep every block's activations instead of recomputing them in backward (faster, more memory).")
    boolean noBlockRecompute;
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda", description = "Where to train (default: ${DEFAULT-VALUE}).")
    String device;
    @Option(names = "--base-model-name", paramLabel = "NAME", description = "base_model_name_or_path to record in the adapter (default: the --model directory's name).")
    String baseModelName;

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N", description = "Write a resumable checkpoint to OUT/checkpoints/step-N every N steps; 0 disables (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--resume", paramLabel = "CHECKPOINT_DIR", description = "Continue a run from a checkpoint written with the same flags and data.")
    Path resume;
    @Option(names = "--merge", description = "Also write base + LoRA merged into OUT/merged (lora/qlora only).")
    boolean merge;

    @Override
    FlagNames flagNames() {
        return FlagNames.TRAIN;
    }

    @Override
    int execute() {
        long start = System.nanoTime();
        FineTuneSpec spec = spec();
        AdapterMethod adapterMethod = AdapterMethods.of(spec.method()).method();
        if (merge && !adapterMethod.mergeable()) {
            throw new IllegalArgumentException("--merge needs --method " + AdapterMethods.mergeableNames() + ": "
                    + adapterMethod.mergeRefusal().orElseThrow());
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + checkpointEvery);
        }
        if (resume != null && !Files.isDirectory(resume)) {
            throw new IllegalArgumentException("--resume " + resume + " is not a checkpoint directory");
        }
        out().printf("train: %s on %s, data %s%n", spec.method().wireName(), spec.baseModelName(), data);
        try (FineTuneSession session = FineTuneSession.open(spec, TrainingListener.NONE)) {
            PreparedData.Stats stats = session.dataStats();
            out().println("data: " + stats.describe());
            out().printf(Locale.ROOT, "model: %d layers, hidden %d, %s weights | trainable parameters: %,d | steps: %d%n",
                    session.model().config().numHiddenLayers(), session.model().config().hiddenSize(),
                    session.model().options().weights().name(),
                    session.adapter().parameterCount(), session.run().totalSteps());
            if (resume != null) {
                session.resumeFrom(resume);
                out().printf("resumed from %s at step %d%n", resume, session.run().step());
            }
            try (TrainingDisplay display = TrainingDisplay.choose(TrainingDisplay::stdoutIsTerminal, out(), logEvery)) {
                display.start(session.run().step(), session.run().totalSteps());
                session.setListener(display);
                while (!session.finished()) {
                    int slice = checkpointEvery > 0 ? checkpointEvery - session.run().step() % checkpointEvery
                            : Integer.MAX_VALUE;
                    session.runSlice(slice);
                    if (checkpointEvery > 0 && session.run().step() % checkpointEvery == 0) {
                        Path dir = out.resolve("checkpoints").resolve("step-" + session.run().step());
                        session.saveCheckpoint(dir);
                        display.println("checkpoint: " + dir);
                    }
                }
            }
            session.saveAdapter(out);
            if (merge) {
                session.saveMerged(out.resolve("merged"));
            }
            printSummary(session, (System.nanoTime() - start) / 1e9);
        }
        return OK;
    }

    FineTuneSpec spec() {
        FineTuningMethod m = FineTuningMethod.fromWire(lower(method));
        TrainingSettings settings = settings();
        TrainingConfig training = TrainingConfig.builder(settings).seed(seed).logEvery(logEvery)
                .blockRecompute(!noBlockRecompute).build();
        DatasetSpec dataset = Parsers.dataset(format, promptField, completionField, DatasetSpec.DEFAULT_ERROR_CAP);
        LoraSettings lora = new LoraSettings(loraR, loraAlpha, loraDropout, TargetModules.parse(targetModules),
                useRslora, useDora);
        lora.checkFitsMethod(m);
        BottleneckSettings bottleneck = new BottleneckSettings(AdapterKind.fromWire(lower(adapterKind)), reductionFactor);
        return FineTuneSpec.builder(model, data, m).dataset(dataset).lora(LoraConfig.from(lora))
                .bottleneck(BottleneckConfig.from(bottleneck)).training(training).settings(settings)
                .evalFraction(evalFraction).device(device).baseModelName(baseModelName).build();
    }

    /** The shared settings from the flags; 0 in --max-steps, --eval-every and --early-stopping-patience means unset. */
    TrainingSettings settings() {
        return TrainingSettings.builder().nEpochs(epochs).maxSteps(unsetIfZero(maxSteps)).batchSize(batchSize)
                .learningRate(learningRate).lrScheduler(LrScheduler.fromWire(lower(lrScheduler)))
                .warmupRatio(warmupRatio).weightDecay(weightDecay).maxGradNorm(maxGradNorm)
                .gradientAccumulationSteps(gradAccum).maxSeqLength(maxSeqLen).evalEverySteps(unsetIfZero(evalEvery))
                .earlyStoppingPatience(unsetIfZero(patience)).trainOnInputs(trainOnInputs).packing(packing).build();
    }

    private static Integer unsetIfZero(int value) {
        return value == 0 ? null : value;
    }

    private static String lower(String value) {
        return value == null ? null : value.trim().toLowerCase(Locale.ROOT);
    }

    private void printSummary(FineTuneSession session, double wallSeconds) {
        TrainingSummary s = session.summary();
        out().printf(Locale.ROOT, "done: %s after %d/%d steps | %,d tokens | training %.1fs | wall time %.1fs%n",
                s.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '), s.steps(), session.run().totalSteps(),
                s.trainedTokens(), session.trainingTime().toMillis() / 1000.0, wallSeconds);
        out().printf(Locale.ROOT, "train loss: %.4f (first step) -> %.4f (last step)%n", s.firstLoss(), s.finalLoss());
        if (s.finalEval() != null) {
            out().printf(Locale.ROOT, "eval loss: %s (before) -> %.4f (after), best %.4f | perplexity %.2f%n",
                    s.initialEvalLoss() == null ? "n/a" : String.format(Locale.ROOT, "%.4f", s.initialEvalLoss()),
                    s.finalEval().loss(), s.bestEvalLoss(), s.finalEval().perplexity());
        } else {
            out().println("eval loss: n/a (no eval split: --eval-fraction 0 or too few examples)");
        }
        out().printf("adapter: %s (%s, with %s)%n", out, session.adapter().method().layout(),
                TrainingReport.FILE);
        if (merge) {
            out().println("merged: " + out.resolve("merged"));
        }
    }
}
