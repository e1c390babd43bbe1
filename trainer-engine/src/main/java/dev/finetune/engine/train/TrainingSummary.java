package dev.finetune.engine.train;

import java.util.List;

/**
 * What a run produced, for reports and the registry's lineage.
 *
 * @param steps optimizer steps taken
 * @param stopReason completed, early-stopped, or still running
 * @param firstLoss training loss of the first step
 * @param finalLoss training loss of the last step
 * @param initialEvalLoss eval loss before any training (null without an eval split)
 * @param finalEval the last evaluation (null without an eval split)
 * @param bestEvalLoss the lowest eval loss seen (null without an eval split)
 * @param trainedTokens real tokens processed
 * @param lossHistory training loss of every step
 * @param evalHistory every evaluation
 */
public record TrainingSummary(int steps, StopReason stopReason, double firstLoss, double finalLoss,
                              Double initialEvalLoss, EvalResult finalEval, Double bestEvalLoss, long trainedTokens,
                              List<Double> lossHistory, List<EvalResult> evalHistory) {}
