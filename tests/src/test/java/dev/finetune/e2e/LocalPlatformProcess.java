package dev.finetune.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one-command local platform exactly as the README starts it ({@code java -jar
 * standalone/target/finetune-standalone.jar}, i.e. {@code LocalPlatform.main} -> {@code
 * LocalPlatform.start}): embedded PostgreSQL, S3Proxy, the API and dashboard, an in-process worker,
 * the demo model and dataset, in a JVM of its own with a fresh temporary home, a free port and a
 * known operator key ({@code FINETUNE_BOOTSTRAP_KEY}).
 */
public final class LocalPlatformProcess implements AutoCloseable {

    public static final String OPERATOR_KEY = "ftk_journey2_" + "operatorKeyOfTheBrowserJourney0123456789ABC";

    private final Process process;
    private final Path home;
    private final Path log;
    private final int port;
    private final Path logs;
    private final Map<String, String> env;
    private final String[] args;
    private boolean keepHome;

    private LocalPlatformProcess(Process process, Path home, Path log, int port, Path logs, Map<String, String> env,
            String[] args) {
        this.process = process;
        this.home = home;
        this.log = log;
        this.port = port;
        this.logs = logs;
        this.env = env;
        this.args = args;
    }

    /**
     * Starts it and waits until it prints its welcome. {@code args} reach the API and the worker as
     * Spring arguments (e.g. {@code --finetune.worker.slice-steps=4}).
     */
    public static LocalPlatformProcess start(Path logs, String... args) {
        return start(logs, Map.of(), args);
    }

    /** Like {@link #start(Path, String...)} with extra environment variables (e.g. {@code FINETUNE_S3_RESTART_DELAY}). */
    public static LocalPlatformProcess start(Path logs, Map<String, String> env, String... args) {
        try {
            return start(Files.createTempDirectory("finetune-journey-"), freePort(), logs, "local-platform.log", env, args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the platform again on this one's home and port (after {@link #kill()}), with the same
     * settings; its log goes to {@code local-platform-restarted.log}. Waits for its welcome.
     */
    public LocalPlatformProcess restart() {
        keepHome = true;
        return start(home, port, logs, "local-platform-restarted.log", env, args);
    }

    private static LocalPlatformProcess start(Path home, int port, Path logs, String logName, Map<String, String> env,
            String... args) {
        Path root = PlatformUnderTest.repoRoot();
        Path jar = root.resolve("standalone/target/finetune-standalone.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The local platform's jar is missing: " + jar + ". Build it with "
                    + "'./mvnw -pl standalone -am package -DskipTests', or run these tests with './mvnw verify'.");
        }
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve(logName);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-Dai.djl.offline=true",
                    "-Dfinetune.s3proxy.jar=" + root.resolve("standalone/target/lib/s3proxy.jar"), "-jar", jar.toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("DJL_OFFLINE", "true");
            builder.environment().put("OPT_OUT_TRACKING", "true");
            builder.environment().put("FINETUNE_HOME", home.toString());
            builder.environment().put("FINETUNE_PORT", String.valueOf(port));
            builder.environment().put("FINETUNE_BOOTSTRAP_KEY", OPERATOR_KEY);
            builder.environment().putAll(env);
            LocalPlatformProcess platform = new LocalPlatformProcess(builder.start(), home, log, port, logs, env, args);
            platform.awaitWelcome(Duration.ofMinutes(3));
            return platform;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path home() {
        return home;
    }

    public ProcessHandle process() {
        return process.toHandle();
    }

    /** SIGKILL, as a crash or an OOM killer would: no shutdown hook runs. The home is kept. */
    public void kill() {
        keepHome = true;
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private void awaitWelcome(Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (!logText().contains("Fine-tuning platform is running")) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                close();
                throw new IllegalStateException("the local platform did not start; its log:\n" + logText());
            }
            Scenario.sleep(Duration.ofMillis(250));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (keepHome) {
            return; // another process (a restart) uses it; the restarted one deletes it
        }
        try (var files = Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
