package dev.finetune.registry;

import java.util.UUID;

import dev.finetune.core.job.FineTuningSucceeded;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What a version's eval losses were measured on, as the worker reported it: the dashboard shows
 * which eval set a number came from, and the gate compares only versions whose {@code sha256}
 * ({@link AdapterVersion#evalSetSha256()}) is equal.
 *
 * @param sha256 the eval set's identity (the gate's key)
 * @param source {@code validation_file} (every record of the job's validation file) or {@code held_out}
 *        (a share of the training file chosen by its sha256, the same for every job on that file)
 * @param datasetId the dataset the examples came from
 * @param datasetName its name as uploaded
 * @param datasetSha256 its sha256
 * @param fraction the held-out share; null for a validation file
 * @param tokenizerSha256 the base model's tokenizer files' sha256
 * @param maxSeqLength the sequence length examples were cut to
 * @param trainOnInputs whether prompt tokens counted in the loss
 * @param examples encoded examples evaluated
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalSetLineage(String sha256, String source, UUID datasetId, String datasetName, String datasetSha256,
        Double fraction, String tokenizerSha256, int maxSeqLength, boolean trainOnInputs, int examples) {

    static EvalSetLineage of(FineTuningSucceeded.EvalSet e) {
        return new EvalSetLineage(e.sha256(), e.source(), e.datasetId(), e.datasetName(), e.datasetSha256(),
                e.fraction(), e.tokenizerSha256(), e.maxSeqLength(), e.trainOnInputs(), e.examples());
    }
}
