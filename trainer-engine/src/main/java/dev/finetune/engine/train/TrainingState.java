package dev.finetune.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The counters a run carries from step to step and across a checkpoint. */
final class TrainingState {

    int step;
    long microBatch;
    long trainedTokens;
    double bestEvalLoss = Double.POSITIVE_INFINITY;
    int evalsWithoutImprovement;
    Double initialEvalLoss;
    StopReason stopReason = StopReason.RUNNING;
    long seed;
    long dataFingerprint;
    final List<Double> lossHistory = new ArrayList<>();
    final List<EvalResult> evalHistory = new ArrayList<>();
    /** Steps computed twice after a non-finite gradient (see TrainingRun): a run with one is not a repeat of one without. */
    final List<Integer> recomputedSteps = new ArrayList<>();

    Map<String, Object> toJson(int optimizerSteps) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("step", step);
        json.put("micro_batch", microBatch);
        json.put("optimizer_steps", optimizerSteps);
        json.put("trained_tokens", trainedTokens);
        json.put("best_eval_loss", Double.isInfinite(bestEvalLoss) ? null : bestEvalLoss);
        json.put("evals_without_improvement", evalsWithoutImprovement);
        json.put("initial_eval_loss", initialEvalLoss);
        json.put("stop_reason", stopReason.name());
        json.put("rng", Map.of("scheme", "counter-based: data order from (seed, epoch), dropout from "
                + "(seed, step, micro_batch, layer)", "seed", seed));
        json.put("data_fingerprint", dataFingerprint);
        json.put("loss_history", lossHistory);
        List<Map<String, Object>> evals = new ArrayList<>();
        for (EvalResult e : evalHistory) {
            evals.add(Map.of("step", e.step(), "loss", e.loss(), "perplexity", e.perplexity(), "tokens", e.tokens()));
        }
        json.put("eval_history", evals);
        json.put("recomputed_steps", recomputedSteps);
        return json;
    }

    static TrainingState fromJson(JsonNode json) {
        TrainingState s = new TrainingState();
        s.step = json.path("step").asInt();
        s.microBatch = json.path("micro_batch").asLong();
        s.trainedTokens = json.path("trained_tokens").asLong();
        JsonNode best = json.path("best_eval_loss");
        s.bestEvalLoss = best.isNumber() ? best.asDouble() : Double.POSITIVE_INFINITY;
        s.evalsWithoutImprovement = json.path("evals_without_improvement").asInt();
        JsonNode initial = json.path("initial_eval_loss");
        s.initialEvalLoss = initial.isNumber() ? initial.asDouble() : null;
        s.stopReason = StopReason.valueOf(json.path("stop_reason").asText("RUNNING"));
        s.seed = json.path("rng").path("seed").asLong();
        s.dataFingerprint = json.path("data_fingerprint").asLong();
        json.path("loss_history").forEach(n -> s.lossHistory.add(n.asDouble()));
        json.path("recomputed_steps").forEach(n -> s.recomputedSteps.add(n.asInt()));
        json.path("eval_history").forEach(n -> s.evalHistory.add(new EvalResult(n.path("step").asInt(),
                n.path("loss").asDouble(), n.path("perplexity").asDouble(), n.path("tokens").asInt())));
        return s;
    }
}
