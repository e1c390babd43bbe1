package dev.finetune.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process as Linux reports it in {@code /proc/self/status}.
 *
 * <p>The peak ({@code VmHWM}) is reset by writing {@code 5} to {@code /proc/self/clear_refs}
 * (Linux 4.0+). Where that is not possible, {@link #startSampling()} polls {@code VmRSS} every
 * millisecond or so and {@link #peakBytes()} returns the sampled maximum instead, which can miss
 * short spikes; {@link #method()} says which one is in use.
 */
final class ProcMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private final boolean hwmResettable;
    private volatile long sampledPeak;
    private volatile boolean sampling;
    private Thread sampler;

    ProcMemory() {
        this.hwmResettable = tryReset();
    }

    String method() {
        return hwmResettable ? "VmHWM (reset via /proc/self/clear_refs)" : "VmRSS sampled every ~1 ms";
    }

    static boolean available() {
        return Files.isReadable(STATUS);
    }

    /** Current resident set size in bytes, or -1 when {@code /proc} is not there. */
    static long rssBytes() {
        return field("VmRSS:");
    }

    /** Starts a new peak window at the current RSS. */
    void resetPeak() {
        if (hwmResettable) {
            tryReset();
        } else {
            sampledPeak = rssBytes();
            if (sampler == null) {
                startSampling();
            }
        }
    }

    /** Highest RSS since the last {@link #resetPeak()}. */
    long peakBytes() {
        return hwmResettable ? field("VmHWM:") : Math.max(sampledPeak, rssBytes());
    }

    void close() {
        sampling = false;
    }

    private void startSampling() {
        sampling = true;
        sampler = new Thread(() -> {
            while (sampling) {
                long rss = rssBytes();
                if (rss > sampledPeak) {
                    sampledPeak = rss;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private static boolean tryReset() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return field("VmHWM:") > 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
