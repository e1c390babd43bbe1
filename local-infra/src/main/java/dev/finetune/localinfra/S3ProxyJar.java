package dev.finetune.localinfra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the S3Proxy jar-with-dependencies, first match wins:
 * <ol>
 * <li>system property {@code finetune.s3proxy.jar} (this module's tests get it from surefire,
 * pointing at {@code target/s3proxy/s3proxy.jar}, which the build copies there);</li>
 * <li>environment variable {@code FINETUNE_S3PROXY_JAR};</li>
 * <li>{@code s3proxy.jar} next to the running application jar, or in {@code ./lib/};</li>
 * <li>the local Maven repository: {@code ~/.m2/repository/org/gaul/s3proxy/VERSION/s3proxy-VERSION-jar-with-dependencies.jar}.</li>
 * </ol>
 */
public final class S3ProxyJar {

    /** Keep in step with {@code s3proxy.version} in the root pom. */
    public static final String VERSION = "4.1.0";
    public static final String PROPERTY = "finetune.s3proxy.jar";
    public static final String ENV = "FINETUNE_S3PROXY_JAR";

    private S3ProxyJar() {
    }

    public static Path locate() {
        List<Path> tried = new ArrayList<>();
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return mustExist(Path.of(property), "system property " + PROPERTY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return mustExist(Path.of(env), "environment variable " + ENV);
        }
        for (Path candidate : nearApplication()) {
            tried.add(candidate);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "gaul", "s3proxy", VERSION,
                "s3proxy-" + VERSION + "-jar-with-dependencies.jar");
        tried.add(m2);
        if (Files.isRegularFile(m2)) {
            return m2;
        }
        throw new IllegalStateException("S3Proxy jar not found; set -D" + PROPERTY + "=/path/to/s3proxy.jar or "
                + ENV + " (tried " + tried + ")");
    }

    private static List<Path> nearApplication() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("lib", "s3proxy.jar"));
        try {
            var source = S3ProxyJar.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                Path location = Path.of(source.getLocation().toURI());
                Path dir = Files.isDirectory(location) ? location : location.getParent();
                if (dir != null) {
                    candidates.add(dir.resolve("s3proxy.jar"));
                    candidates.add(dir.resolve("lib").resolve("s3proxy.jar"));
                }
            }
        } catch (Exception ignored) {
            // nested or unusual class loader: fall through to the other places
        }
        return candidates;
    }

    private static Path mustExist(Path path, String source) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(source + " points to " + path + ", which is not a file");
        }
        return path;
    }
}
