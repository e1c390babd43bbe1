package dev.finetune.engine.serve;

/** A submitted generation. */
public interface GenerationHandle {

    /** Stops the generation before its next step (e.g. the client went away); its sink gets a CancellationException. */
    void cancel();
}
