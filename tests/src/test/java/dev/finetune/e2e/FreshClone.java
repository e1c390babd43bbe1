package dev.finetune.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fresh {@code git clone} of this repository in a temporary directory, as a new user has it, with
 * the runnable jars this build packaged linked in (created after the clone, so the run script sees
 * them as up to date and starts them rather than building again).
 */
final class FreshClone implements AutoCloseable {

    private static final List<String> JARS = List.of("standalone/target/finetune-standalone.jar",
            "standalone/target/lib/s3proxy.jar");
    private static final Pattern API_KEY = Pattern.compile("API key\\s+:\\s+(ftk_\\S+)");
    private static final int README_PORT = 8080;

    private final Path parent;
    private final Path dir;
    private final Path logs;
    private Process process;

    private FreshClone(Path parent, Path dir, Path logs) {
        this.parent = parent;
        this.dir = dir;
        this.logs = logs;
    }

    /** The platform as started by the README's run command: its port and the key it printed. */
    record Platform(int port, String apiKey, String welcome) {
    }

    static FreshClone of(Path repository, Path logs) throws IOException {
        Files.createDirectories(logs);
        Path parent = Files.createTempDirectory("finetune-quickstart-");
        Path dir = parent.resolve("finetune-platform");
        ShellRun clone = ShellRun.run(parent, List.of("git", "clone", "--quiet", "--no-hardlinks", repository.toString(),
                dir.toString()), java.util.Map.of(), logs.resolve("git-clone.log"), Duration.ofMinutes(2));
        if (clone.exitCode() != 0) {
            throw new IllegalStateException("git clone of " + repository + " failed:\n" + clone.output());
        }
        for (String jar : JARS) {
            Path built = repository.resolve(jar);
            if (!Files.isRegularFile(built)) {
                throw new IllegalStateException(built + " is missing: run these tests with './mvnw verify'");
            }
            Files.createDirectories(dir.resolve(jar).getParent());
            Files.createSymbolicLink(dir.resolve(jar), built.toAbsolutePath());
        }
        return new FreshClone(parent, dir, logs);
    }

    Path dir() {
        return dir;
    }

    /**
     * Runs {@code ./bin/finetune-platform} in the clone with no settings at all, on the README's
     * port 8080; only when that port is taken on this machine does {@code FINETUNE_PORT} move it.
     */
    Platform runPlatform(Duration within) throws IOException {
        int port = isFree(README_PORT) ? README_PORT : freePort();
        ProcessBuilder builder = new ProcessBuilder("./bin/finetune-platform").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(logs.resolve("platform.log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("FINETUNE_"));
        if (port != README_PORT) {
            builder.environment().put("FINETUNE_PORT", String.valueOf(port));
        }
        process = builder.start();
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            String log = Files.readString(logs.resolve("platform.log"));
            Matcher key = API_KEY.matcher(log);
            if (log.contains("Fine-tuning platform is running") && key.find()) {
                return new Platform(port, key.group(1), log);
            }
            Scenario.sleep(Duration.ofMillis(250));
        }
        throw new IllegalStateException("./bin/finetune-platform did not print its welcome within " + within
                + "; its log:\n" + Files.readString(logs.resolve("platform.log")));
    }

    private static boolean isFree(int port) {
        try (ServerSocket ignored = new ServerSocket(port)) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(parent)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
