package dev.finetune.engine.recipe;

import dev.finetune.settings.DatasetFormat;
import dev.finetune.engine.train.TrainingData;

/**
 * A dataset file turned into training rows, with the numbers a user checks before a long run.
 *
 * @param data the train and eval rows and the pad id, ready for a {@code TrainingRun}
 * @param stats what happened on the way
 * @param evalSet which examples the eval rows are, and everything that decides their tokens
 */
public record PreparedData(TrainingData data, Stats stats, EvalSet evalSet) {

    /** Where the eval rows came from. */
    public enum EvalSource {
        /** every example of a separate evaluation file (the platform's {@code validation_file}) */
        EVAL_FILE,
        /** a share of the training file's examples, chosen by the file's sha256 and the share */
        HELD_OUT,
        /** no evaluation (eval fraction 0, or too few examples to hold one out) */
        NONE
    }

    /**
     * What the eval loss is measured on. Two runs with equal values evaluated the same tokens with the
     * same loss mask, whatever their seeds; a loss is only comparable with another measured on an equal
     * eval set.
     *
     * @param source eval file, held out of the training file, or none
     * @param fileSha256 sha256 of the file the eval examples were read from: the eval file, or the
     *     training file for a held-out share
     * @param fraction the held-out share (null for an eval file or none)
     * @param tokenizerSha256 sha256 over the model directory's tokenizer.json and tokenizer_config.json
     *     (vocabulary and chat template), which decide the tokens
     * @param maxSeqLen the sequence length examples were cut to
     * @param trainOnInputs whether prompt tokens count in the loss
     * @param examples encoded examples in the eval set
     */
    public record EvalSet(EvalSource source, String fileSha256, Double fraction, String tokenizerSha256, int maxSeqLen,
                          boolean trainOnInputs, int examples) {
    }

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
