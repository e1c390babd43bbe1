package dev.finetune.engine.train;

import dev.finetune.data.PackedSequence;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenized training and eval sequences plus the pad id used to batch them.
 * The fingerprint lets a resumed run refuse data that differs from the run it continues.
 */
public record TrainingData(List<PackedSequence> train, List<PackedSequence> eval, int padId) {

    public TrainingData {
        train = List.copyOf(train);
        eval = eval == null ? List.of() : List.copyOf(eval);
    }

    public long fingerprint() {
        long h = train.size() * 31L + eval.size();
        for (List<PackedSequence> part : List.of(train, eval)) {
            for (PackedSequence s : part) {
                h = h * 1_000_003L + Arrays.hashCode(s.inputIds());
                h = h * 1_000_003L + Arrays.hashCode(s.labels());
            }
        }
        return h;
    }
}
