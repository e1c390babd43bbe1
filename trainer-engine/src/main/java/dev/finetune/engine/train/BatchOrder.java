package dev.finetune.engine.train;

import dev.finetune.data.Batch;
import dev.finetune.data.BatchCollator;
import dev.finetune.data.PackedSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The order in which micro-batches are drawn: an endless stream over epochs, each epoch a fresh
 * permutation seeded by {@code (seed, epoch)}. Micro-batch {@code i} is a pure function of
 * {@code i}, so a checkpoint only needs the index to resume at exactly the same data position.
 */
final class BatchOrder {

    private final List<PackedSequence> sequences;
    private final int batchSize;
    private final long seed;
    private final int padId;
    private final int batchesPerEpoch;
    private int cachedEpoch = -1;
    private int[] permutation;

    BatchOrder(List<PackedSequence> sequences, int batchSize, long seed, int padId) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("the training set has no sequences left after tokenization");
        }
        this.sequences = sequences;
        this.batchSize = batchSize;
        this.seed = seed;
        this.padId = padId;
        this.batchesPerEpoch = (sequences.size() + batchSize - 1) / batchSize;
    }

    int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    double epochOf(long microBatch) {
        return (double) microBatch / batchesPerEpoch;
    }

    Batch batch(long microBatch) {
        int epoch = (int) (microBatch / batchesPerEpoch);
        int within = (int) (microBatch % batchesPerEpoch);
        int[] order = permutation(epoch);
        List<PackedSequence> rows = new ArrayList<>();
        for (int i = within * batchSize; i < Math.min(order.length, (within + 1) * batchSize); i++) {
            rows.add(sequences.get(order[i]));
        }
        return BatchCollator.collate(rows, padId);
    }

    private int[] permutation(int epoch) {
        if (epoch != cachedEpoch) {
            int n = sequences.size();
            int[] p = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = i;
            }
            Random random = new Random(seed * 1_000_003L + epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            permutation = p;
            cachedEpoch = epoch;
        }
        return permutation;
    }
}
