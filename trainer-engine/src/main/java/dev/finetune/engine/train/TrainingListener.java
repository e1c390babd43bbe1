package dev.finetune.engine.train;

/** Receives progress as training runs; the CLI prints it, the worker stores and streams it. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {};

    /** After every optimizer step. */
    default void onStep(TrainingProgress progress) {}

    /** After every evaluation. */
    default void onEval(EvalResult result) {}
}
