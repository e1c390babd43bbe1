package dev.finetune.standalone;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Where the local platform keeps its data, which ports and address it uses. From the environment (or
 * the system property of the same name in lower-case dotted form):
 * {@code FINETUNE_HOME} (default {@code ./.finetune}), {@code FINETUNE_PORT} (8080),
 * {@code FINETUNE_BIND_ADDRESS} (127.0.0.1: this machine only, since the platform prints an operator
 * key; {@code 0.0.0.0} opens it to the network), {@code FINETUNE_POSTGRES_PORT} (0 = any free port),
 * {@code FINETUNE_S3_PORT} (0 = any free port), {@code FINETUNE_S3_RESTART_DELAY} (2s: how long after
 * the S3 server died it is started again; ISO-8601 or {@code 500ms}, {@code 2s}, {@code 1m}).
 */
public record LocalSettings(Path home, int apiPort, String bindAddress, int postgresPort, int s3Port,
        Duration s3RestartDelay) {

    public static final String LOOPBACK = "127.0.0.1";

    public LocalSettings {
        if (apiPort < 0 || postgresPort < 0 || s3Port < 0) {
            throw new IllegalArgumentException("ports must be >= 0");
        }
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("FINETUNE_BIND_ADDRESS must not be blank");
        }
        if (s3RestartDelay == null || s3RestartDelay.isNegative()) {
            throw new IllegalArgumentException("FINETUNE_S3_RESTART_DELAY must be zero or positive");
        }
    }

    LocalSettings withApiPort(int port) {
        return new LocalSettings(home, port, bindAddress, postgresPort, s3Port, s3RestartDelay);
    }

    /** Whether the API answers on this machine's loopback only. */
    boolean loopbackOnly() {
        return bindAddress.equals(LOOPBACK) || bindAddress.equals("localhost") || bindAddress.equals("::1");
    }

    static LocalSettings fromEnvironment() {
        return new LocalSettings(Path.of(value("FINETUNE_HOME", ".finetune")).toAbsolutePath().normalize(),
                port("FINETUNE_PORT", 8080), value("FINETUNE_BIND_ADDRESS", LOOPBACK).trim(),
                port("FINETUNE_POSTGRES_PORT", 0), port("FINETUNE_S3_PORT", 0),
                duration("FINETUNE_S3_RESTART_DELAY", Duration.ofSeconds(2)));
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

    static Duration duration(String env, Duration fallback) {
        String text = value(env, "").trim().toLowerCase(java.util.Locale.ROOT);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            if (text.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            return Duration.parse(text.toUpperCase(java.util.Locale.ROOT));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(env + " must be a duration such as 2s or 500ms, got '" + text + "'");
        }
    }
}
