package dev.finetune.localinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A postmaster left running on a data directory by a JVM that was killed (SIGKILL runs no shutdown
 * hook, and {@code pg_ctl start} detaches the server from its parent). Without this, the next start
 * fails after its 30 s wait with "lock file postmaster.pid already exists".
 *
 * <p>{@code postmaster.pid}'s first line is the pid, its second the data directory. A live process
 * with that pid whose executable is {@code postgres} and which serves this directory is ours: it gets
 * SIGTERM (a smart shutdown, quick once its clients died with their JVM), then, after 10 s, SIGKILL
 * with its backends. (Not {@code pg_ctl stop}: as root, zonky runs the server in a user namespace
 * of its own, from which another {@code pg_ctl} may not signal it.) A pid file naming a dead process, or a process that is not a
 * postgres of this directory (the pid was reused), is just stale and is removed.
 */
final class StalePostmaster {

    private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);
    static final String PID_FILE = "postmaster.pid";

    private StalePostmaster() {
    }

    /** Stops a leftover server of {@code dataDirectory}, if any; returns whether there was one. */
    static boolean stopIfRunning(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve(PID_FILE);
        Optional<Long> pid = pid(dataDirectory);
        if (pid.isEmpty()) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
        if (process.isEmpty() || !servesDirectory(process.get(), dataDirectory)) {
            log.info("removing the stale {} of {} (process {} is gone or is not its postgres)", PID_FILE,
                    dataDirectory, pid.get());
            deleteQuietly(pidFile);
            return false;
        }
        ProcessHandle postmaster = process.get();
        log.warn("PostgreSQL (pid {}) is still running on {}, left by a platform that was killed; stopping it",
                postmaster.pid(), dataDirectory);
        if (!terminate(postmaster)) {
            throw new IllegalStateException("a PostgreSQL server (pid " + postmaster.pid() + ") still runs on "
                    + dataDirectory + " and did not stop; stop it by hand");
        }
        deleteQuietly(pidFile); // gone if it stopped cleanly; stale after a SIGKILL
        return true;
    }

    /** The pid recorded in the directory's {@code postmaster.pid}, if there is one that can be read. */
    static Optional<Long> pid(Path dataDirectory) {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve(PID_FILE));
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** An executable named postgres, and the pid file's second line naming this very directory. */
    static boolean servesDirectory(ProcessHandle process, Path dataDirectory) {
        Optional<String> command = process.info().command();
        boolean postgres = command.map(c -> Path.of(c).getFileName().toString().equals("postgres")).orElse(false);
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve(PID_FILE));
            return postgres && lines.size() > 1
                    && Files.isSameFile(Path.of(lines.get(1).trim()), dataDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM (smart shutdown), then SIGKILL to the postmaster and every backend; whether it is gone. */
    private static boolean terminate(ProcessHandle postmaster) {
        List<ProcessHandle> backends = postmaster.descendants().toList();
        postmaster.destroy();
        try {
            postmaster.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception notYet) {
            postmaster.destroyForcibly();
        }
        backends.forEach(ProcessHandle::destroyForcibly);
        try {
            postmaster.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
        return !postmaster.isAlive();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }
}
