package dev.finetune.worker.lease;

import java.time.Instant;
import java.util.Optional;

import dev.finetune.core.job.JobId;
import dev.finetune.core.queue.ClaimedJob;
import dev.finetune.core.queue.WorkerId;
import dev.finetune.core.tenant.TenantId;

/**
 * The job this worker holds a lease on, shared by the training thread (which runs the Spring Batch
 * job) and the heartbeat thread (which renews the lease). The flags only ever go one way: once the
 * lease is lost or a stop is asked for, it stays so.
 */
public final class ActiveJob {

    /** Why the training thread should stop early, after writing a checkpoint (or at once, for a lost lease). */
    public enum Stop {
        NONE, CANCEL, SHUTDOWN
    }

    private final ClaimedJob claim;
    private final Instant startedAt;
    private volatile boolean leaseLost;
    private volatile Stop stop = Stop.NONE;
    private volatile int step;
    private volatile int totalSteps;
    private volatile double tokensPerSecond;
    private volatile String phase = "claimed";

    public ActiveJob(ClaimedJob claim, Instant startedAt) {
        this.claim = claim;
        this.startedAt = startedAt;
    }

    public JobId jobId() {
        return claim.jobId();
    }

    public TenantId tenantId() {
        return claim.tenantId();
    }

    public WorkerId worker() {
        return claim.owner();
    }

    public int attempt() {
        return claim.attempt();
    }

    /** The worker whose expired lease this claim took over, if any. */
    public Optional<String> previousOwner() {
        return claim.previousOwner();
    }

    public Instant startedAt() {
        return startedAt;
    }

    public boolean leaseLost() {
        return leaseLost;
    }

    /** Another worker may own the job now: stop at once and write nothing more for it. */
    public void markLeaseLost() {
        leaseLost = true;
    }

    public Stop stopRequest() {
        return stop;
    }

    /** Asks the training thread to stop after the current step; a cancel wins over a shutdown. */
    public synchronized void requestStop(Stop why) {
        if (stop == Stop.NONE || why == Stop.CANCEL) {
            stop = why;
        }
    }

    /** Whether the training loop should leave the current slice early. */
    public boolean shouldLeaveSlice() {
        return leaseLost || stop != Stop.NONE;
    }

    public void progress(int step, int totalSteps, double tokensPerSecond) {
        this.step = step;
        this.totalSteps = totalSteps;
        this.tokensPerSecond = tokensPerSecond;
    }

    public void phase(String phase) {
        this.phase = phase;
    }

    public String phase() {
        return phase;
    }

    public int step() {
        return step;
    }

    public int totalSteps() {
        return totalSteps;
    }

    public double tokensPerSecond() {
        return tokensPerSecond;
    }

    @Override
    public String toString() {
        return "ActiveJob[" + jobId() + ", attempt " + attempt() + ", " + phase + "]";
    }
}
