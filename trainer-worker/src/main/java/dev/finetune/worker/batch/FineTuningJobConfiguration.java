package dev.finetune.worker.batch;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The Spring Batch job that runs one fine-tuning job: prepare -> train -> evaluate -> publish, one
 * job instance per fine-tuning job (identifying parameter {@value StepSupport#JOB_ID}), so a
 * restart after a crash or a graceful stop continues the same instance.
 *
 * <p>Every step runs under a {@link ResourcelessTransactionManager}: a TaskletStep wraps each call
 * in a transaction of its manager, and these calls download gigabytes or train for minutes. The
 * JobRepository (in PostgreSQL) still commits the step's execution context after every call in its
 * own short transactions, and the tasklets write their rows in short transactions of their own.
 */
@Configuration(proxyBeanMethods = false)
public class FineTuningJobConfiguration {

    static final String JOB_NAME = "fineTuning";

    private static final PlatformTransactionManager NO_TRANSACTION = new ResourcelessTransactionManager();

    @Bean
    Job fineTuningJob(JobRepository jobs, PrepareTasklet prepare, TrainTasklet train, EvaluateTasklet evaluate,
            PublishTasklet publish) {
        return new JobBuilder(JOB_NAME, jobs)
                .start(new StepBuilder("prepare", jobs).tasklet(prepare, NO_TRANSACTION)
                        // a restarted job may land on a worker without the files: prepare again
                        .allowStartIfComplete(true).build())
                .next(step("train", jobs, train))
                .next(step("evaluate", jobs, evaluate))
                .next(step("publish", jobs, publish))
                .build();
    }

    private static Step step(String name, JobRepository jobs, org.springframework.batch.core.step.tasklet.Tasklet tasklet) {
        return new StepBuilder(name, jobs).tasklet(tasklet, NO_TRANSACTION).build();
    }
}
