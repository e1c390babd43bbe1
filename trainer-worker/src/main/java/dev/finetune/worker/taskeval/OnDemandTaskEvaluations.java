package dev.finetune.worker.taskeval;

import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.dataset.DatasetRepository;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.queue.WorkerId;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.EncoderOptions;
import dev.finetune.data.tokenizer.HfTokenizer;
import dev.finetune.data.tokenizer.TextTokenizer;
import dev.finetune.engine.recipe.DataPreparation;
import dev.finetune.engine.recipe.FineTuneSpec;
import dev.finetune.engine.recipe.PreparedData;
import dev.finetune.registry.TaskEvaluations;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.worker.WorkerProperties;
import dev.finetune.worker.workspace.ObjectTransfer;
import dev.finetune.worker.workspace.TrainingWorkspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On-demand task evaluations, run by an idle worker: claim the oldest request (a lease of
 * {@code finetune.worker.task-eval.lease}), run it as the Spring Batch job {@code taskEvaluation}
 * (one step), and record the outcome while the lease is still ours. The version's adapter and base
 * model answer the prompts of the requested dataset (every record: its prompt, and its first answer
 * as the reference); the answers go to {@code tenants/{t}/task-evaluations/{id}/task_eval.jsonl}.
 */
@Component
public class OnDemandTaskEvaluations {

    static final String JOB_NAME = "taskEvaluation";
    static final String EVALUATION_ID = "taskEvaluationId";
    private static final Logger log = LoggerFactory.getLogger(OnDemandTaskEvaluations.class);

    private final TaskEvaluations registry;
    private final TaskEvalProperties settings;
    private final WorkerProperties worker;
    private final DatasetRepository datasets;
    private final ObjectTransfer transfer;
    private final TrainingWorkspace workspace;
    private final JobOperator operator;
    private final Job job;
    private final TransactionTemplate readOnly;
    private volatile TaskEvaluations.Claim current;

    OnDemandTaskEvaluations(TaskEvaluations registry, TaskEvalProperties settings, WorkerProperties worker,
            DatasetRepository datasets, ObjectTransfer transfer, TrainingWorkspace workspace, JobOperator operator,
            @Qualifier(JOB_NAME + "Job") Job job, PlatformTransactionManager transactions) {
        this.registry = registry;
        this.settings = settings;
        this.worker = worker;
        this.datasets = datasets;
        this.transfer = transfer;
        this.workspace = workspace;
        this.operator = operator;
        this.job = job;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    /** Claims and runs one waiting evaluation; false when none waits. Never throws for a failed evaluation. */
    public boolean runNext(WorkerId me) {
        Optional<TaskEvaluations.Claim> claim = registry.claimNext(me.value(), settings.lease());
        if (claim.isEmpty()) {
            return false;
        }
        current = claim.get();
        log.info("claimed task evaluation {}", current.id());
        try {
            JobExecution execution = operator.start(job, new JobParametersBuilder()
                    .addString(EVALUATION_ID, current.id().toString(), true)
                    .addLong("attempt", System.currentTimeMillis(), true).toJobParameters());
            if (execution.getStatus() != BatchStatus.COMPLETED) {
                String why = execution.getAllFailureExceptions().stream().findFirst().map(Throwable::getMessage)
                        .orElse("the evaluation ended " + execution.getStatus());
                registry.fail(current.id(), me.value(), why);
            }
        } catch (Exception e) {
            log.warn("task evaluation {} failed: {}", current.id(), e.toString());
            registry.fail(current.id(), me.value(), e.getMessage());
        } finally {
            current = null;
        }
        return true;
    }

    /** The Spring Batch step's work: everything between the claim and the recorded result. */
    void execute(String evaluationId) {
        TaskEvaluations.Claim claim = current;
        if (claim == null || !claim.id().toString().equals(evaluationId)) {
            throw new IllegalStateException("task evaluation " + evaluationId + " is not the one this worker holds");
        }
        Path dir = worker.workDir().resolve("task-evaluations").resolve(claim.id().toString());
        TrainingWorkspace.deleteRecursively(dir);
        try {
            Path modelDir = workspace.baseModel(claim.tenant(), new BaseModelId(claim.baseModelId()));
            Path adapterDir = dir.resolve("adapter");
            if (transfer.downloadPrefix(claim.adapterPrefix(), adapterDir) == 0) {
                throw new IllegalStateException("the version's adapter files are gone from " + claim.adapterPrefix());
            }
            Dataset dataset = readOnly.execute(s -> datasets.find(claim.tenant(), new DatasetId(claim.datasetId())))
                    .orElseThrow(() -> new IllegalStateException("dataset " + claim.datasetId() + " was deleted"));
            Path dataFile = dir.resolve("data").resolve("dataset.jsonl");
            transfer.download(dataset.objectKey(), dataFile);
            Hyperparameters h = Hyperparameters.fromJson(claim.hyperparametersJson());
            // every record's prompt and first answer, tokenized as the version was trained (answers masked out)
            FineTuneSpec spec = FineTuneSpec.builder(modelDir, dataFile, FineTuningMethod.LORA)
                    .dataset(DatasetSpec.of(dataset.format())).evalFile(dataFile, DatasetSpec.of(dataset.format()))
                    .encoder(new EncoderOptions(h.maxSeqLength(), false, true)).device(worker.device()).build();
            TaskEvaluation.Result result;
            try (TextTokenizer tokenizer = HfTokenizer.load(modelDir)) {
                PreparedData prepared = DataPreparation.prepare(spec, tokenizer);
                result = dev.finetune.worker.batch.ComputeLock.run(() -> TaskEvaluation.evaluate(modelDir,
                        worker.device(), prepared.data().eval(), tokenizer, adapterDir, dir.resolve("out"),
                        claim.maxExamples(), claim.maxNewTokens(), claim.extractor()));
            }
            if (result.metrics().isEmpty()) {
                throw new IllegalArgumentException("nothing to evaluate: " + result.skipped());
            }
            String prefix = "tenants/" + claim.tenant().value() + "/task-evaluations/" + claim.id() + "/";
            transfer.uploadDirectory(dir.resolve("out"), prefix);
            if (!registry.succeed(claim.id(), worker.workerId().value(), result.metrics().get(),
                    prefix + TaskEvaluation.EXAMPLES)) {
                log.warn("task evaluation {} lost its lease before its result was recorded", claim.id());
            }
        } finally {
            TrainingWorkspace.deleteRecursively(dir);
        }
    }

    UUID currentId() {
        return current == null ? null : current.id();
    }
}
