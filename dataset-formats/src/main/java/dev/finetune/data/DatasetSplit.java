package dev.finetune.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Deterministic train/eval split: the same items, fraction and seed always give the same split on
 * every JVM ({@link Random} is a specified algorithm). Both parts keep the items' original order.
 */
public final class DatasetSplit {

    /** The two parts of a split. */
    public record Split<T>(List<T> train, List<T> eval) {
        public Split {
            train = List.copyOf(train);
            eval = List.copyOf(eval);
        }
    }

    private DatasetSplit() {}

    /**
     * Splits off {@code round(items * evalFraction)} eval items chosen by a seeded shuffle, but at
     * least 1 when {@code evalFraction > 0} and there are at least 2 items, and never all of them.
     *
     * @throws IllegalArgumentException when evalFraction is outside [0, 1)
     */
    public static <T> Split<T> split(List<T> items, double evalFraction, long seed) {
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("evalFraction must be in [0, 1), got " + evalFraction);
        }
        int n = items.size();
        int evalCount = (int) Math.round(n * evalFraction);
        if (evalFraction > 0 && n > 1) {
            evalCount = Math.max(1, Math.min(evalCount, n - 1));
        } else {
            evalCount = 0;
        }
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        boolean[] isEval = new boolean[n];
        for (int i = 0; i < evalCount; i++) {
            isEval[order.get(i)] = true;
        }
        List<T> train = new ArrayList<>(n - evalCount);
        List<T> eval = new ArrayList<>(evalCount);
        for (int i = 0; i < n; i++) {
            (isEval[i] ? eval : train).add(items.get(i));
        }
        return new Split<>(train, eval);
    }
}
