package dev.finetune.core.queue;

/** For metrics: jobs waiting, jobs under a live lease, and jobs whose lease expired. */
public record QueueDepth(long queued, long leased, long expiredLeases) {
}
