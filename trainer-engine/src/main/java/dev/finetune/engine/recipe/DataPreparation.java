package dev.finetune.engine.recipe;

import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.data.ChatTemplate;
import dev.finetune.data.DatasetReader;
import dev.finetune.data.DatasetSplit;
import dev.finetune.data.DatasetValidationException;
import dev.finetune.data.EncodedDataset;
import dev.finetune.data.EncoderOptions;
import dev.finetune.data.Example;
import dev.finetune.data.ExampleEncoder;
import dev.finetune.data.PackedSequence;
import dev.finetune.data.SequencePacker;
import dev.finetune.data.TokenizedExample;
import dev.finetune.data.ValidationReport;
import dev.finetune.data.tokenizer.TextTokenizer;
import dev.finetune.engine.train.TrainingData;
import java.util.List;

/**
 * Dataset file to training rows: validate every record (failing with the whole report before any
 * model is loaded), read, encode with the checkpoint's chat template, split off the eval share with
 * the run's seed, then pack (or keep one example per row).
 *
 * <p>The split is made on encoded examples, not records, so a single-document TEXT corpus (one
 * record, many chunks) gets an eval split too.
 */
public final class DataPreparation {

    private DataPreparation() {}

    /**
     * @throws DatasetValidationException with the full report when any record is bad or the file has none
     * @throws IllegalArgumentException when no trainable token remains after tokenization, or a file is missing
     */
    public static PreparedData prepare(FineTuneSpec spec, TextTokenizer tokenizer) {
        spec.checkFiles();
        ValidationReport report = DatasetReader.validate(spec.dataFile(), spec.dataset(), null);
        if (!report.ok()) {
            throw new DatasetValidationException(spec.dataFile().toString(), report);
        }
        List<Example> examples = DatasetReader.read(spec.dataFile(), spec.dataset());
        EncoderOptions options = capped(spec.encoder(), maxPositions(spec));
        ExampleEncoder encoder = new ExampleEncoder(tokenizer, ChatTemplate.forTokenizer(tokenizer), options);
        EncodedDataset encoded = encoder.encodeAll(examples);
        if (encoded.examples().isEmpty() || encoded.trainableTokens() == 0) {
            throw new IllegalArgumentException("nothing to train on in " + spec.dataFile() + ": " + report.rows()
                    + " rows gave no trainable token after tokenization (" + encoded.dropped() + " dropped because the "
                    + "prompt filled all max_seq_len=" + options.maxSeqLen() + " tokens). Raise max_seq_len, "
                    + "train on inputs, or check that the records have assistant/answer text");
        }
        DatasetSplit.Split<TokenizedExample> split =
                DatasetSplit.split(encoded.examples(), spec.evalFraction(), spec.training().seed());
        List<PackedSequence> train = rows(split.train(), spec.packing(), options.maxSeqLen());
        List<PackedSequence> eval = rows(split.eval(), spec.packing(), options.maxSeqLen());
        int pad = tokenizer.padId() >= 0 ? tokenizer.padId() : Math.max(0, tokenizer.eosId());
        long trainTokens = split.train().stream().mapToLong(TokenizedExample::trainableTokens).sum();
        PreparedData.Stats stats = new PreparedData.Stats(report.format(), report.rows(), encoded.examples().size(),
                train.size(), eval.size(), encoded.truncated(), encoded.dropped(), encoded.trainableTokens(),
                trainTokens, options.maxSeqLen());
        return new PreparedData(new TrainingData(train, eval, pad), stats);
    }

    private static List<PackedSequence> rows(List<TokenizedExample> examples, boolean packing, int maxSeqLen) {
        if (examples.isEmpty()) {
            return List.of();
        }
        return packing ? SequencePacker.pack(examples, maxSeqLen)
                : examples.stream().map(SequencePacker::unpacked).toList();
    }

    private static EncoderOptions capped(EncoderOptions options, int maxPositions) {
        return options.maxSeqLen() <= maxPositions ? options
                : new EncoderOptions(maxPositions, options.trainOnInputs(), options.addEos());
    }

    private static int maxPositions(FineTuneSpec spec) {
        LlamaConfig config = LlamaConfig.load(spec.modelDir().resolve(HfCheckpoint.CONFIG));
        return config.maxPositionEmbeddings();
    }
}
