package dev.finetune.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A training worker in a JVM of its own, started from the worker's runnable jar with its
 * configuration in environment variables. {@link #kill()} is SIGKILL (the process gets no chance
 * to checkpoint or release its lease); {@link #stop()} is SIGTERM (a graceful stop).
 */
public final class WorkerProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private WorkerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static WorkerProcess start(String name, Path jar, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // C1 only and a small heap: these workers train a 656k-parameter model, and the machine has two cores
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx768m", "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-Dai.djl.offline=true", "-jar", jar.toString(), "worker"))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            System.out.printf("[e2e] worker %s started as pid %d, log %s%n", name, process.pid(), log);
            return new WorkerProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** The worker's log so far (for assertion messages). */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Waits for the process to end by itself; its exit code, or empty if it is still running after {@code timeout}. */
    public java.util.OptionalInt awaitExit(Duration timeout) {
        return waitFor(timeout) ? java.util.OptionalInt.of(process.exitValue()) : java.util.OptionalInt.empty();
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(20));
        }
    }

    /** SIGTERM (a graceful stop), then SIGKILL if it has not ended within {@code grace}. */
    public void stop(Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            if (!waitFor(grace)) {
                kill();
            }
        }
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
        return "worker " + name + " (pid " + process.pid() + ")";
    }
}
