package dev.finetune.worker;

import java.nio.file.Path;
import java.time.Duration;

import dev.finetune.core.queue.WorkerId;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.worker.*}: how this worker trains. Lease length, heartbeat and poll interval are
 * the queue's ({@code finetune.queue.*} in platform-core), so the API and every worker agree on them.
 *
 * @param enabled whether this process claims jobs at all (false: health and metrics only)
 * @param id lease owner name; empty means host name + pid + a random suffix, unique per process
 * @param device {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param sliceSteps optimizer steps per tasklet call: every slice ends with a checkpoint in object
 *     storage, so this bounds the work lost to a crash and how late a cancel is honoured
 * @param sliceTime a slice also ends after this much training time (at least one step runs), so a
 *     big model's slice does not outlive the lease's patience or a cancel request by hours
 * @param evalFraction share of the training file held out to measure eval loss (0 disables it)
 * @param workDir where base models (cached per model), datasets, checkpoints and adapters are
 *     written locally (default {@code $TMPDIR/finetune-worker}); a job's files are deleted when it ends
 * @param shutdownTimeout how long a graceful stop (SIGTERM) waits for the job in hand, which stops
 *     after the optimizer step in progress (the slice is cut short there): that step, its
 *     checkpoint written, uploaded and recorded, the lease released. Keep the time to SIGKILL
 *     above it: the Helm chart sets it to the pod's terminationGracePeriodSeconds minus 30 s, the
 *     compose file to its stop_grace_period minus 30 s
 * @param storageAttempts tries per object-storage call before the job fails (transient errors only)
 */
@Validated
@ConfigurationProperties("finetune.worker")
public record WorkerProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("") String id,
        @DefaultValue("cpu") @NotNull @Pattern(regexp = "cpu|cuda(:\\d+)?", message = "must be cpu, cuda or cuda:N") String device,
        @DefaultValue("20") @Min(1) int sliceSteps,
        @DefaultValue("5m") @NotNull Duration sliceTime,
        @DefaultValue("0.1") @DecimalMin("0.0") @DecimalMax("0.9") double evalFraction,
        Path workDir,
        @DefaultValue("5m") @NotNull Duration shutdownTimeout,
        @DefaultValue("4") @Min(1) int storageAttempts) {

    public WorkerProperties {
        if (workDir == null) {
            workDir = Path.of(System.getProperty("java.io.tmpdir"), "finetune-worker");
        }
        if (sliceTime != null && (sliceTime.isNegative() || sliceTime.isZero())) {
            throw new IllegalArgumentException("finetune.worker.slice-time must be positive");
        }
    }

    /** The lease owner name of this process. */
    public WorkerId workerId() {
        return id == null || id.isBlank() ? WorkerId.forThisProcess() : new WorkerId(id.trim());
    }
}
