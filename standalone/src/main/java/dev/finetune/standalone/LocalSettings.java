package dev.finetune.standalone;

import java.nio.file.Path;

/**
 * Where the local platform keeps its data and which ports it uses. From the environment (or the
 * system property of the same name in lower-case dotted form):
 * {@code FINETUNE_HOME} (default {@code ./.finetune}), {@code FINETUNE_PORT} (8080),
 * {@code FINETUNE_POSTGRES_PORT} (0 = any free port), {@code FINETUNE_S3_PORT} (0 = any free port).
 */
public record LocalSettings(Path home, int apiPort, int postgresPort, int s3Port) {

    public LocalSettings {
        if (apiPort < 0 || postgresPort < 0 || s3Port < 0) {
            throw new IllegalArgumentException("ports must be >= 0");
        }
    }

    LocalSettings withApiPort(int port) {
        return new LocalSettings(home, port, postgresPort, s3Port);
    }

    static LocalSettings fromEnvironment() {
        return new LocalSettings(Path.of(value("FINETUNE_HOME", ".finetune")).toAbsolutePath().normalize(), port("FINETUNE_PORT", 8080),
                port("FINETUNE_POSTGRES_PORT", 0), port("FINETUNE_S3_PORT", 0));
    }

    private static String value(String env, String fallback) {
        String property = System.getProperty(env.toLowerCase().replace('_', '.'));
        if (property != null && !property.isBlank()) {
            return property;
        }
        String fromEnv = System.getenv(env);
        return fromEnv == null || fromEnv.isBlank() ? fallback : fromEnv;
    }

    private static int port(String env, int fallback) {
        String text = value(env, Integer.toString(fallback));
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(env + " must be a port number, got '" + text + "'");
        }
    }
}
