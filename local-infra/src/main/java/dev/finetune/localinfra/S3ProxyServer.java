package dev.finetune.localinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * S3Proxy (an S3 API server) as a child JVM: {@code java -jar s3proxy.jar --properties FILE}.
 * Its 55 MB self-contained jar is located by {@link S3ProxyJar}; it is never put on this
 * classpath. The server is stopped on {@link #close()} and, should the JVM exit first, by a
 * shutdown hook.
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

    private final Process process;
    private final Thread shutdownHook;
    private final String endpoint;
    private final Path workDir;
    private final Duration startup;

    private S3ProxyServer(Process process, Thread hook, String endpoint, Path workDir, Duration startup) {
        this.process = process;
        this.shutdownHook = hook;
        this.endpoint = endpoint;
        this.workDir = workDir;
        this.startup = startup;
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
            List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx512m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-jar", jar.toString(), "--properties", config.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(logFile.toFile()).start();
            Thread hook = new Thread(() -> stop(process), "s3proxy-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            awaitReady(process, endpoint, options.startTimeout(), logFile);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            log.info("S3Proxy started at {} in {} ms (objects: {})", endpoint, took.toMillis(),
                    options.baseDirectory() == null ? "in memory" : baseDir);
            return new S3ProxyServer(process, hook, endpoint, workDir, took);
        } catch (IOException e) {
            throw new UncheckedIOException("S3Proxy did not start", e);
        }
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

    private static void awaitReady(Process process, String endpoint, Duration timeout, Path logFile) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with code " + process.exitValue() + ":\n" + tail(logFile));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                c.getResponseCode(); // any HTTP answer (403 without credentials) means it is serving
                c.disconnect();
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        stop(process);
        throw new IOException("S3Proxy did not answer at " + endpoint + " within " + timeout + ":\n" + tail(logFile));
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String javaExecutable() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(java) ? java.toString() : "java";
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for S3Proxy", e);
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

    @Override
    public void close() {
        stop(process);
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
