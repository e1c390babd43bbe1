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

    private LocalSecrets(String operatorKey, String s3Identity, String s3Credential) {
        this.operatorKey = operatorKey;
        this.s3Identity = s3Identity;
        this.s3Credential = s3Credential;
    }

    static LocalSecrets loadOrCreate(Path home) {
        Path file = home.resolve(FILE);
        try {
            Properties p = new Properties();
            if (Files.exists(file)) {
                try (var in = Files.newInputStream(file)) {
                    p.load(in);
                }
            } else {
                byte[] secret = new byte[24];
                new SecureRandom().nextBytes(secret);
                p.setProperty("operator-key", ApiKeyToken.generate().reveal());
                p.setProperty("s3-identity", "finetune-local");
                p.setProperty("s3-credential", HexFormat.of().formatHex(secret));
                Files.createFile(file);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: the file keeps the directory's permissions
                }
                try (var out = Files.newOutputStream(file)) {
                    p.store(out, "Secrets of this local fine-tuning platform; keep this file private");
                }
            }
            String envKey = System.getenv("FINETUNE_BOOTSTRAP_KEY");
            String key = envKey != null && !envKey.isBlank() ? envKey : p.getProperty("operator-key");
            return new LocalSecrets(key, p.getProperty("s3-identity"), p.getProperty("s3-credential"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
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
