package dev.finetune.engine.train;

/** Why a run ended (or that it has not). */
public enum StopReason {
    RUNNING,
    COMPLETED,
    EARLY_STOPPED
}
