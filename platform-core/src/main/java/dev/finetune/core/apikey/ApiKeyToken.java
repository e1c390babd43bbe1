package dev.finetune.core.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plaintext form of a key, {@code ftk_<8 chars>_<43 chars>}. Its {@link #toString()} never
 * shows the secret; call {@link #reveal()} exactly where the key is handed to its owner.
 */
public final class ApiKeyToken {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final Pattern FORMAT = Pattern.compile("(ftk_[a-z2-9]{8})_([A-Za-z0-9_-]{43})");

    private final String prefix;
    private final String secret;

    private ApiKeyToken(String prefix, String secret) {
        this.prefix = prefix;
        this.secret = secret;
    }

    /** A fresh key: 8 random prefix characters and a 32-byte (256-bit) random secret. */
    public static ApiKeyToken generate() {
        StringBuilder prefix = new StringBuilder("ftk_");
        for (int i = 0; i < 8; i++) {
            prefix.append(PREFIX_ALPHABET.charAt(RANDOM.nextInt(PREFIX_ALPHABET.length())));
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return new ApiKeyToken(prefix.toString(), Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** Parses what a client sent; empty if it is not shaped like a key (never says why, on purpose). */
    public static Optional<ApiKeyToken> parse(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(presented.trim());
        return m.matches() ? Optional.of(new ApiKeyToken(m.group(1), m.group(2))) : Optional.empty();
    }

    public String prefix() {
        return prefix;
    }

    public byte[] secretSha256() {
        return sha256(secret);
    }

    /** The full key, to be shown to its owner once and never logged. */
    public String reveal() {
        return prefix + "_" + secret;
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return prefix + "_***";
    }
}
