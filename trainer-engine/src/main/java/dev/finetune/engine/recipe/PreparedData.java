package dev.finetune.engine.recipe;

import dev.finetune.settings.DatasetFormat;
import dev.finetune.engine.train.TrainingData;

/**
 * A dataset file turned into training rows, with the numbers a user checks before a long run.
 *
 * @param data the train and eval rows and the pad id, ready for a {@code TrainingRun}
 * @param stats what happened on the way
 */
public record PreparedData(TrainingData data, Stats stats) {

    /**
     * @param format the dataset format used (given or detected)
     * @param rows records in the file
     * @param examples encoded examples kept (TEXT corpora: chunks of maxSeqLen tokens)
     * @param trainSequences training rows (after packing, if on)
     * @param evalSequences eval rows (0 when evaluation is off)
     * @param truncated conversations longer than maxSeqLen, cut to it
     * @param dropped conversations left out because no trained token remained after truncation
     * @param trainableTokens tokens with a loss (over train and eval)
     * @param trainTokens tokens with a loss in the training rows
     * @param maxSeqLen the sequence length used (capped at the model's max_position_embeddings)
     */
    public record Stats(DatasetFormat format, int rows, int examples, int trainSequences, int evalSequences,
                        int truncated, int dropped, long trainableTokens, long trainTokens, int maxSeqLen) {

        /** One line for logs: {@code INSTRUCTION: 91 rows -> 82 train / 9 eval sequences, ...}. */
        public String describe() {
            return String.format(java.util.Locale.ROOT,
                    "%s: %d rows -> %d train / %d eval sequences (max_seq_len %d), %d truncated, %d dropped, "
                            + "%d trainable tokens", format, rows, trainSequences, evalSequences, maxSeqLen, truncated,
                    dropped, trainableTokens);
        }
    }
}
