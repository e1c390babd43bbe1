package dev.finetune.worker.taskeval;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * The Spring Batch job {@code taskEvaluation}: one step that runs the on-demand evaluation the worker
 * claimed, under a resourceless transaction manager (it generates text for minutes).
 */
@Configuration(proxyBeanMethods = false)
public class TaskEvaluationJobConfiguration {

    @Bean
    Job taskEvaluationJob(JobRepository jobs, @Lazy OnDemandTaskEvaluations evaluations) {
        return new JobBuilder(OnDemandTaskEvaluations.JOB_NAME, jobs)
                .start(new StepBuilder("evaluate", jobs).tasklet((contribution, context) -> {
                    String id = contribution.getStepExecution().getJobExecution().getJobParameters()
                            .getString(OnDemandTaskEvaluations.EVALUATION_ID);
                    evaluations.execute(id);
                    return RepeatStatus.FINISHED;
                }, new ResourcelessTransactionManager()).build())
                .build();
    }
}
