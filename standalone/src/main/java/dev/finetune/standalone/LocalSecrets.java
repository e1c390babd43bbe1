package dev.finetune.standalone;

import dev.finetune.core.apikey.ApiKeyToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The local install's secrets, generated on first start and kept in {@code <home>/secrets.properties}
 * (owner read/write only) so that a restart keeps the same operator API key and object-store
 * credentials. Never printed by {@link #toString()}.
 */
final class LocalSecrets {

    private static final String FILE = "secrets.properties";

    private final String operatorKey;
    private final String s3Identity;
    private final String s3Credential;
    private final String postgresPassword;

    private LocalSecrets(String operatorKey, String s3Identity, String s3Credential, String postgresPassword) {
        this.operatorKey = operatorKey;
        this.s3Identity = s3Identity;
        this.s3Credential = s3Credential;
        this.postgresPassword = postgresPassword;
    }

    static LocalSecrets loadOrCreate(Path home) {
        Path file = home.resolve(FILE);
        try {
            Properties p = new Properties();
            boolean exists = Files.exists(file);
            if (exists) {
                try (var in = Files.newInputStream(file)) {
                    p.load(in);
                }
            }
            boolean added = false;
            if (p.getProperty("operator-key") == null) {
                p.setProperty("operator-key", ApiKeyToken.generate().reveal());
                p.setProperty("s3-identity", "finetune-local");
                p.setProperty("s3-credential", randomHex());
                added = true;
            }
            // an install made before PostgreSQL had a password gets one now (EmbeddedPostgres sets it)
            if (p.getProperty("postgres-password") == null) {
                p.setProperty("postgres-password", randomHex());
                added = true;
            }
            if (added) {
                write(file, p, exists);
            }
            String envKey = System.getenv("FINETUNE_BOOTSTRAP_KEY");
            String key = envKey != null && !envKey.isBlank() ? envKey : p.getProperty("operator-key");
            return new LocalSecrets(key, p.getProperty("s3-identity"), p.getProperty("s3-credential"),
                    p.getProperty("postgres-password"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static String randomHex() {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return HexFormat.of().formatHex(secret);
    }

    /** Owner read/write only, set before the first secret is written. */
    private static void write(Path file, Properties p, boolean exists) throws IOException {
        if (!exists) {
            Files.createFile(file);
        }
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the file keeps the directory's permissions
        }
        try (var out = Files.newOutputStream(file)) {
            p.store(out, "Secrets of this local fine-tuning platform; keep this file private");
        }
    }

    /** The embedded PostgreSQL's {@code postgres} password (SCRAM, loopback only). */
    String postgresPassword() {
        return postgresPassword;
    }

    String operatorKey() {
        return operatorKey;
    }

    String s3Identity() {
        return s3Identity;
    }

    String s3Credential() {
        return s3Credential;
    }

    @Override
    public String toString() {
        return "LocalSecrets[hidden]";
    }
}
