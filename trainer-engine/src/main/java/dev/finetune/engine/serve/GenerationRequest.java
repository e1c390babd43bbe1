package dev.finetune.engine.serve;

import java.util.List;

/**
 * One generation: a prompt from {@link ServingModel#encodeChat} or {@link ServingModel#encodePrompt}, the
 * adapter to answer with (null for the base model; in merged mode null or {@link ServingModel#mergedAdapter()}),
 * and how to pick tokens: {@code temperature} 0 is greedy; otherwise temperature and top-p sampling from a
 * random generator seeded with {@code seed}, as {@code Generator} samples.
 */
public record GenerationRequest(int[] promptIds, ServedAdapter adapterOrNull, int maxNewTokens, float temperature,
                                float topP, long seed, List<String> stop) {

    public GenerationRequest {
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("promptIds must hold at least one token (e.g. BOS)");
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        promptIds = promptIds.clone();
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
    }

    /** A greedy request with no stop strings. */
    public static GenerationRequest greedy(int[] promptIds, ServedAdapter adapterOrNull, int maxNewTokens) {
        return new GenerationRequest(promptIds, adapterOrNull, maxNewTokens, 0f, 1f, 0, List.of());
    }
}
