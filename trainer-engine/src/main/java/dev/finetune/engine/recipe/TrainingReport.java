package dev.finetune.engine.recipe;

import dev.finetune.engine.peft.AdapterJson;
import dev.finetune.engine.train.EvalResult;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.engine.train.TrainingSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code training_summary.json}, written next to the adapter: the outcome (losses, evals, tokens,
 * time), the prepared data's numbers and every hyperparameter, so an artifact says how it was made.
 * Non-finite numbers are written as null (JSON has no NaN).
 */
public final class TrainingReport {

    public static final String FILE = "training_summary.json";

    private TrainingReport() {}

    static void write(Path file, FineTuneSession session) {
        AdapterJson.write(file, describe(session));
    }

    /** The report's content as an ordered map. */
    public static Map<String, Object> describe(FineTuneSession session) {
        FineTuneSpec spec = session.spec();
        TrainingSummary s = session.summary();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("method", spec.method().wireName());
        json.put("base_model", spec.baseModelName());
        json.put("base_model_fingerprint", session.baseModelRef().fingerprint());
        json.put("dataset", spec.dataFile().toString());
        json.put("summary", summary(s, session));
        json.put("data", data(session.dataStats()));
        json.put("eval_set", evalSet(session.prepared().evalSet(), spec));
        json.put("hyperparameters", hyperparameters(spec, session.trainingConfig()));
        return json;
    }

    private static Map<String, Object> summary(TrainingSummary s, FineTuneSession session) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", s.steps());
        out.put("stop_reason", s.stopReason().name());
        out.put("first_loss", num(s.firstLoss()));
        out.put("final_loss", num(s.finalLoss()));
        out.put("initial_eval_loss", s.initialEvalLoss() == null ? null : num(s.initialEvalLoss()));
        out.put("final_eval_loss", s.finalEval() == null ? null : num(s.finalEval().loss()));
        out.put("final_perplexity", s.finalEval() == null ? null : num(s.finalEval().perplexity()));
        out.put("best_eval_loss", s.bestEvalLoss() == null ? null : num(s.bestEvalLoss()));
        out.put("trained_tokens", s.trainedTokens());
        out.put("trainable_parameters", session.adapter().parameterCount());
        out.put("wall_time_seconds", session.trainingTime().toMillis() / 1000.0);
        out.put("loss_history", s.lossHistory().stream().map(TrainingReport::num).toList());
        List<Map<String, Object>> evals = new ArrayList<>();
        for (EvalResult e : s.evalHistory()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", e.step());
            m.put("loss", num(e.loss()));
            m.put("perplexity", num(e.perplexity()));
            m.put("tokens", e.tokens());
            evals.add(m);
        }
        out.put("eval_history", evals);
        out.put("recomputed_steps", session.run().recomputedSteps());
        return out;
    }

    private static Map<String, Object> data(PreparedData.Stats d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", d.format() == null ? null : d.format().wireName());
        out.put("rows", d.rows());
        out.put("examples", d.examples());
        out.put("train_sequences", d.trainSequences());
        out.put("eval_sequences", d.evalSequences());
        out.put("truncated", d.truncated());
        out.put("dropped", d.dropped());
        out.put("trainable_tokens", d.trainableTokens());
        out.put("max_seq_len", d.maxSeqLen());
        return out;
    }

    private static Map<String, Object> evalSet(PreparedData.EvalSet e, FineTuneSpec spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", e.source().name().toLowerCase(java.util.Locale.ROOT));
        out.put("file", e.source() == PreparedData.EvalSource.EVAL_FILE ? spec.evalFile().toString()
                : e.source() == PreparedData.EvalSource.HELD_OUT ? spec.dataFile().toString() : null);
        out.put("file_sha256", e.fileSha256());
        out.put("fraction", e.fraction());
        out.put("tokenizer_sha256", e.tokenizerSha256());
        out.put("max_seq_len", e.maxSeqLen());
        out.put("train_on_inputs", e.trainOnInputs());
        out.put("examples", e.examples());
        return out;
    }

    private static Map<String, Object> hyperparameters(FineTuneSpec spec, TrainingConfig t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("learning_rate", t.learningRate());
        out.put("lr_scheduler", t.schedule().wireName());
        out.put("warmup_ratio", t.warmupRatio());
        out.put("warmup_steps", t.warmupSteps());
        out.put("weight_decay", t.weightDecay());
        out.put("adam_beta1", t.beta1());
        out.put("adam_beta2", t.beta2());
        out.put("adam_epsilon", t.adamEpsilon());
        out.put("max_grad_norm", t.maxGradNorm());
        out.put("batch_size", t.batchSize());
        out.put("gradient_accumulation_steps", t.gradientAccumulationSteps());
        out.put("epochs", t.epochs());
        out.put("max_steps", t.maxSteps());
        out.put("seed", t.seed());
        out.put("eval_every", t.evalEvery());
        out.put("early_stopping_patience", t.earlyStoppingPatience());
        out.put("block_recompute", t.blockRecompute());
        out.put("max_seq_len", spec.encoder().maxSeqLen());
        out.put("train_on_inputs", spec.encoder().trainOnInputs());
        out.put("add_eos", spec.encoder().addEos());
        out.put("packing", spec.packing());
        out.put("eval_fraction", spec.evalFraction());
        out.put("device", spec.device());
        // another thread count splits PyTorch's reductions differently: the same seed then gives other floats
        out.put("intra_op_threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        out.putAll(spec.methodConfig().hyperparameters());
        return out;
    }

    private static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
