package dev.finetune.worker.batch;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * DJL lets one GradientCollector exist per JVM at a time, so training compute is serialised
 * JVM-wide. A worker has one training thread and never contends for it; the lock matters where
 * several workers share a JVM (tests, or an API process that embeds a worker), which then take
 * turns slice by slice instead of failing.
 */
public final class ComputeLock {

    private static final ReentrantLock LOCK = new ReentrantLock(true);

    private ComputeLock() {
    }

    public static <T> T run(Supplier<T> compute) {
        LOCK.lock();
        try {
            return compute.get();
        } finally {
            LOCK.unlock();
        }
    }
}
