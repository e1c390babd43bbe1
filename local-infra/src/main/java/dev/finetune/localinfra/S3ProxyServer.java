package dev.finetune.localinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * S3Proxy (an S3 API server) as a child JVM: S3Proxy's {@code Main} with {@code --properties FILE},
 * started through {@link ExitWithParent} so that it exits when this JVM dies, even by SIGKILL (no
 * orphan keeps the port or the objects directory). Its 55 MB self-contained jar is located by
 * {@link S3ProxyJar}; it is never put on this classpath. The server is stopped on {@link #close()}
 * and, should the JVM exit first, by a shutdown hook.
 *
 * <p>{@link #restart()} starts it again on the same port, directory and credentials (clients keep
 * their endpoint); {@link #supervise} does that whenever it dies, after a delay.
 */
public final class S3ProxyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(S3ProxyServer.class);

    /**
     * @param jar the S3Proxy jar-with-dependencies; null to locate it with {@link S3ProxyJar#locate()}
     * @param port port on 127.0.0.1; 0 picks a free one
     * @param baseDirectory where objects are stored (filesystem backend); null keeps them in memory
     * @param identity access key clients must use
     * @param credential secret key clients must use (never logged)
     */
    public record Options(Path jar, int port, Path baseDirectory, String identity, String credential,
            Duration startTimeout) {

        public Options {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535");
            }
            if (identity == null || identity.isBlank() || credential == null || credential.isBlank()) {
                throw new IllegalArgumentException("identity and credential must not be blank");
            }
            startTimeout = startTimeout == null ? Duration.ofSeconds(60) : startTimeout;
        }

        public static Options inMemory(String identity, String credential) {
            return new Options(null, 0, null, identity, credential, null);
        }

        public static Options onDisk(Path baseDirectory, int port, String identity, String credential) {
            return new Options(null, port, baseDirectory, identity, credential, null);
        }

        @Override
        public String toString() {
            return "Options[jar=" + jar + ", port=" + port + ", baseDirectory=" + baseDirectory + ", identity="
                    + identity + ", credential=***]";
        }
    }

    private final List<String> command;
    private final Thread shutdownHook;
    private final String endpoint;
    private final Path workDir;
    private final Path logFile;
    private final Duration startTimeout;
    private final Duration startup;
    private volatile Process process;
    private volatile boolean closed;
    private volatile Thread supervisor;

    private S3ProxyServer(List<String> command, String endpoint, Path workDir, Path logFile, Duration startTimeout,
            Process process, Duration startup) {
        this.command = command;
        this.endpoint = endpoint;
        this.workDir = workDir;
        this.logFile = logFile;
        this.startTimeout = startTimeout;
        this.process = process;
        this.startup = startup;
        this.shutdownHook = new Thread(() -> ChildJvm.stop(this.process), "s3proxy-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static S3ProxyServer start(Options options) {
        long t0 = System.nanoTime();
        Path jar = options.jar() != null ? options.jar() : S3ProxyJar.locate();
        int port = options.port() == 0 ? FreePort.find() : options.port();
        String endpoint = "http://127.0.0.1:" + port;
        try {
            Path workDir = Files.createTempDirectory("s3proxy-");
            // S3Proxy's filesystem store lists nothing under a relative basedir (it compares each
            // entry's absolute path with the prefix), so it only ever sees an absolute one
            Path baseDir = (options.baseDirectory() != null ? options.baseDirectory() : workDir.resolve("blobs"))
                    .toAbsolutePath().normalize();
            Files.createDirectories(baseDir);
            Path config = workDir.resolve("s3proxy.properties");
            writeConfig(config, endpoint, baseDir, options);
            Path logFile = workDir.resolve("s3proxy.log");
            Path wrapper = ChildJvm.copyWrapper(workDir.resolve("wrapper"));
            List<String> command = List.of(ChildJvm.javaExecutable(), "-Xmx512m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", wrapper + java.io.File.pathSeparator + jar, ExitWithParent.class.getName(),
                    ChildJvm.mainClass(jar), "--properties", config.toString());
            Process process = ChildJvm.launch(command, logFile);
            try {
                ChildJvm.awaitReady(process, endpoint, options.startTimeout(), logFile);
            } catch (IOException e) {
                ChildJvm.stop(process);
                throw e;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            log.info("S3Proxy started at {} in {} ms (objects: {})", endpoint, took.toMillis(),
                    options.baseDirectory() == null ? "in memory" : baseDir);
            return new S3ProxyServer(command, endpoint, workDir, logFile, options.startTimeout(), process, took);
        } catch (IOException e) {
            throw new UncheckedIOException("S3Proxy did not start", e);
        }
    }

    /**
     * Starts the server again on the same port, directory and credentials (a no-op while it runs);
     * objects on disk are all there again, an in-memory store starts empty.
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("S3Proxy at " + endpoint + " was closed");
        }
        if (process.isAlive()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            Process started = ChildJvm.launch(command, logFile);
            process = started;
            ChildJvm.awaitReady(started, endpoint, startTimeout, logFile);
            log.info("S3Proxy restarted at {} in {} ms", endpoint, (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            ChildJvm.stop(process);
            throw new UncheckedIOException("S3Proxy did not restart at " + endpoint, e);
        }
    }

    /** Kills the server at once (SIGKILL), as a crash would: for fault tests. */
    public void kill() {
        Process p = process;
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Restarts the server whenever it dies, {@code delay} after it did (again and again while a
     * restart fails), until {@link #close()}: the local platform's supervision of its object store.
     */
    public synchronized void supervise(Duration delay) {
        if (supervisor != null) {
            return;
        }
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    int code = process.waitFor();
                    if (closed) {
                        return;
                    }
                    log.warn("S3Proxy at {} exited with code {}; restarting it in {}", endpoint, code, delay);
                    Thread.sleep(delay.toMillis());
                    if (!closed) {
                        restart();
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    log.warn("restarting S3Proxy at {} failed, trying again in {}: {}", endpoint, delay, e.getMessage());
                }
            }
        }, "s3proxy-supervisor");
        t.setDaemon(true);
        supervisor = t;
        t.start();
    }

    private static void writeConfig(Path file, String endpoint, Path baseDir, Options options) throws IOException {
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", endpoint);
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", options.identity());
        p.setProperty("s3proxy.credential", options.credential());
        // transient-nio2 keeps blobs in memory; filesystem-nio2 writes them under basedir
        p.setProperty("jclouds.provider", options.baseDirectory() == null ? "transient-nio2" : "filesystem-nio2");
        p.setProperty("jclouds.identity", options.identity());
        p.setProperty("jclouds.credential", options.credential());
        p.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "generated by S3ProxyServer");
        }
    }

    public String endpoint() {
        return endpoint;
    }

    public Duration startupTime() {
        return startup;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The running server's process id (changes with each restart). */
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        closed = true;
        Thread t = supervisor;
        if (t != null) {
            t.interrupt();
        }
        synchronized (this) {
            ChildJvm.stop(process);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        deleteQuietly(workDir);
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files; the OS cleans up eventually
        }
    }
}
