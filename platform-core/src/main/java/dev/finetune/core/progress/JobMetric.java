package dev.finetune.core.progress;

import java.time.Instant;

import dev.finetune.core.job.JobId;
import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** Training metrics of one optimiser step; nullable values were not measured at that step. */
@Entity
@Table(name = "job_metrics")
public class JobMetric {

    @EmbeddedId
    private JobStep id;

    private Double epoch;
    private Double loss;
    @Column(name = "eval_loss")
    private Double evalLoss;
    @Column(name = "learning_rate")
    private Double learningRate;
    @Column(name = "tokens_per_second")
    private Double tokensPerSecond;
    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected JobMetric() {
    }

    public JobMetric(JobId job, int step, Double epoch, Double loss, Double evalLoss, Double learningRate,
            Double tokensPerSecond, Instant at) {
        this.id = new JobStep(job.value(), step);
        this.epoch = epoch;
        this.loss = loss;
        this.evalLoss = evalLoss;
        this.learningRate = learningRate;
        this.tokensPerSecond = tokensPerSecond;
        this.createdAt = at;
    }

    public JobId jobId() { return new JobId(id.jobId()); }
    public int step() { return id.step(); }
    public Double epoch() { return epoch; }
    public Double loss() { return loss; }
    public Double evalLoss() { return evalLoss; }
    public Double learningRate() { return learningRate; }
    public Double tokensPerSecond() { return tokensPerSecond; }
    public Instant createdAt() { return createdAt; }
}
