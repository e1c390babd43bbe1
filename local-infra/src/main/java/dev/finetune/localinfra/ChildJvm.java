package dev.finetune.localinfra;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Running S3Proxy as a child JVM: the command's pieces (this JVM's {@code java}, the jar's main
 * class, the {@link ExitWithParent} wrapper copied where the child can load it), the launch with
 * stdin kept as a pipe, waiting for its first HTTP answer, and stopping it. {@link S3ProxyServer}
 * decides when; this does how.
 */
final class ChildJvm {

    private ChildJvm() {
    }

    /** stdin stays a pipe from this JVM: the child exits when it reads end-of-file (this JVM died). */
    static Process launch(List<String> command, Path logFile) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    }

    /** {@link ExitWithParent}'s class file under {@code dir}, wherever this class was loaded from (a nested jar too). */
    static Path copyWrapper(Path dir) throws IOException {
        String resource = ExitWithParent.class.getName().replace('.', '/') + ".class";
        Path target = dir.resolve(resource);
        Files.createDirectories(target.getParent());
        try (var in = ExitWithParent.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("cannot read " + resource + " from the classpath");
            }
            Files.copy(in, target);
        }
        return dir;
    }

    static String mainClass(Path jar) throws IOException {
        try (var file = new java.util.jar.JarFile(jar.toFile())) {
            String main = file.getManifest() == null ? null : file.getManifest().getMainAttributes().getValue("Main-Class");
            if (main == null) {
                throw new IOException(jar + " names no Main-Class");
            }
            return main;
        }
    }

    static void awaitReady(Process process, String endpoint, Duration timeout, Path logFile) throws IOException {
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

    static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static String javaExecutable() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(java) ? java.toString() : "java";
    }

    static void stop(Process process) {
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

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for S3Proxy", e);
        }
    }
}
