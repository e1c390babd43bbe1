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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Dataset file to training rows: validate every record (failing with the whole report before any
 * model is loaded), read, encode with the checkpoint's chat template, take the eval set, then pack
 * (or keep one example per row).
 *
 * <p>The eval set is every example of the spec's eval file when there is one (the whole data file is
 * then trained on); otherwise a share of the data file's encoded examples chosen by a shuffle seeded
 * from the file's sha256, not from the run's seed, so every run on the same file, share, tokenizer
 * and sequence length evaluates on the same examples and their eval losses compare.
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
        String dataSha = sha256(spec.dataFile());
        if (encoded.examples().isEmpty() || encoded.trainableTokens() == 0) {
            throw new IllegalArgumentException("nothing to train on in " + spec.dataFile() + ": " + report.rows()
                    + " rows gave no trainable token after tokenization (" + encoded.dropped() + " dropped because the "
                    + "prompt filled all max_seq_len=" + options.maxSeqLen() + " tokens). Raise max_seq_len, "
                    + "train on inputs, or check that the records have assistant/answer text");
        }
        DatasetSplit.Split<TokenizedExample> split;
        PreparedData.EvalSource source;
        String evalSha;
        if (spec.evalFile() != null) {
            split = new DatasetSplit.Split<>(encoded.examples(), evalExamples(spec, encoder, options));
            source = PreparedData.EvalSource.EVAL_FILE;
            evalSha = sha256(spec.evalFile());
        } else {
            split = DatasetSplit.split(encoded.examples(), spec.evalFraction(), splitSeed(dataSha));
            source = split.eval().isEmpty() ? PreparedData.EvalSource.NONE : PreparedData.EvalSource.HELD_OUT;
            evalSha = source == PreparedData.EvalSource.NONE ? null : dataSha;
        }
        List<PackedSequence> train = rows(split.train(), spec.packing(), options.maxSeqLen());
        List<PackedSequence> eval = rows(split.eval(), spec.packing(), options.maxSeqLen());
        int pad = tokenizer.padId() >= 0 ? tokenizer.padId() : Math.max(0, tokenizer.eosId());
        long trainTokens = split.train().stream().mapToLong(TokenizedExample::trainableTokens).sum();
        PreparedData.Stats stats = new PreparedData.Stats(report.format(), report.rows(), encoded.examples().size(),
                train.size(), eval.size(), encoded.truncated(), encoded.dropped(), encoded.trainableTokens(),
                trainTokens, options.maxSeqLen());
        PreparedData.EvalSet evalSet = new PreparedData.EvalSet(source, evalSha,
                source == PreparedData.EvalSource.HELD_OUT ? spec.evalFraction() : null,
                tokenizerSha256(spec.modelDir()), options.maxSeqLen(), options.trainOnInputs(), split.eval().size());
        return new PreparedData(new TrainingData(train, eval, pad), stats, evalSet);
    }

    /**
     * The seed of the held-out split: the first eight bytes of the data file's sha256. The same file
     * gives the same split on every JVM and for every run's seed ({@link DatasetSplit} is deterministic).
     */
    public static long splitSeed(String dataSha256) {
        return Long.parseUnsignedLong(dataSha256.substring(0, 16), 16);
    }

    /** The eval file's encoded examples; its every record must be valid and at least one must have a trained token. */
    private static List<TokenizedExample> evalExamples(FineTuneSpec spec, ExampleEncoder encoder, EncoderOptions options) {
        ValidationReport report = DatasetReader.validate(spec.evalFile(), spec.evalDataset(), null);
        if (!report.ok()) {
            throw new DatasetValidationException(spec.evalFile().toString(), report);
        }
        EncodedDataset encoded = encoder.encodeAll(DatasetReader.read(spec.evalFile(), spec.evalDataset()));
        if (encoded.examples().isEmpty() || encoded.trainableTokens() == 0) {
            throw new IllegalArgumentException("nothing to evaluate on in " + spec.evalFile() + ": " + report.rows()
                    + " rows gave no token with a loss after tokenization (" + encoded.dropped() + " dropped because the "
                    + "prompt filled all max_seq_len=" + options.maxSeqLen() + " tokens)");
        }
        return encoded.examples();
    }

    /** sha256 over the files that decide how text becomes tokens: tokenizer.json and tokenizer_config.json (its chat template). */
    static String tokenizerSha256(Path modelDir) {
        MessageDigest sha = DigestUtils.getSha256Digest();
        for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
            Path file = modelDir.resolve(name);
            sha.update((name + ":").getBytes(StandardCharsets.UTF_8));
            if (Files.isRegularFile(file)) {
                sha.update(DigestUtils.sha256(read(file)));
            }
        }
        return Hex.encodeHexString(sha.digest());
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return DigestUtils.sha256Hex(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
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
