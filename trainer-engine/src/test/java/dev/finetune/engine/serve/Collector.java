package dev.finetune.engine.serve;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A sink that keeps what a generation streamed and completes when it ends. */
class Collector implements TokenSink {

    record Outcome(String text, int[] ids, FinishReason reason, int promptTokens, int completionTokens, int deltas) {}

    private final StringBuilder text = new StringBuilder();
    private int deltas;
    private final java.util.List<Integer> ids = new java.util.ArrayList<>();
    final CompletableFuture<Outcome> done = new CompletableFuture<>();

    @Override
    public synchronized void onToken(int tokenId) {
        ids.add(tokenId);
    }

    @Override
    public synchronized void onText(String delta) {
        text.append(delta);
        deltas++;
    }

    @Override
    public synchronized void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
        done.complete(new Outcome(text.toString(), ids.stream().mapToInt(Integer::intValue).toArray(), reason, promptTokens, completionTokens, deltas));
    }

    @Override
    public void onError(Exception error) {
        done.completeExceptionally(error);
    }

    Outcome await() {
        try {
            return done.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("generation did not finish: " + e, e);
        }
    }
}
