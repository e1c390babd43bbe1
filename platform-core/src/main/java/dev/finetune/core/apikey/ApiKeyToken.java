package dev.finetune.core.apikey;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The plaintext form of a key, {@code ftk_<8 chars>_<43 chars>}. Its {@link #toString()} never
 * shows the secret; call {@link #reveal()} exactly where the key is handed to its owner.
 *
 * <p>An operator may also choose the bootstrap key as any strong secret of their own (what
 * {@code openssl rand -hex 32} prints): {@link #fromOperatorSecret} maps it, deterministically, to
 * a key of the usual shape, and a client presenting that secret as its Bearer value is mapped the
 * same way by {@link #fromBearer}. Only the mapped key's hash is ever stored.
 */
public final class ApiKeyToken {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final Pattern FORMAT = Pattern.compile("(ftk_[a-z2-9]{8})_([A-Za-z0-9_-]{43})");
    /** Printable ASCII without spaces: what secret generators and Secret literals carry. */
    private static final Pattern OPERATOR_SECRET = Pattern.compile("[!-~]{" + OperatorSecretRule.MIN_LENGTH + ",512}");

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

    /**
     * The token of an {@code Authorization: Bearer ...} header (the scheme's case ignored), as
     * {@link #fromBearer} reads its value; empty without one. Every surface (the API, serving) reads
     * keys this way.
     */
    public static Optional<ApiKeyToken> fromAuthorizationHeader(String header) {
        String bearer = "Bearer ";
        if (header == null || !header.regionMatches(true, 0, bearer, 0, bearer.length())) {
            return Optional.empty();
        }
        return fromBearer(header.substring(bearer.length()));
    }

    /**
     * What a client sent as its Bearer value: a key of the usual shape, or an operator's own
     * secret mapped as {@link #fromOperatorSecret} maps it (a mapped secret that no key was ever
     * registered for simply authenticates nothing). Empty for anything else.
     */
    public static Optional<ApiKeyToken> fromBearer(String presented) {
        Optional<ApiKeyToken> key = parse(presented);
        if (key.isPresent() || presented == null || !OPERATOR_SECRET.matcher(presented.trim()).matches()) {
            return key;
        }
        return Optional.of(derive(presented.trim()));
    }

    /**
     * The key an operator's own secret stands for; a value already shaped like a key is taken as
     * it is.
     *
     * @throws IllegalArgumentException if the secret is too weak to guard an operator account
     *         (the message says why, never what the secret is)
     */
    public static ApiKeyToken fromOperatorSecret(String secret) {
        Optional<ApiKeyToken> key = parse(secret);
        if (key.isPresent()) {
            return key.get();
        }
        OperatorSecretRule.check(secret);
        return derive(secret.trim());
    }

    private static ApiKeyToken derive(String secret) {
        byte[] prefixBytes = sha256("ftk-operator-prefix:" + secret);
        StringBuilder prefix = new StringBuilder("ftk_");
        for (int i = 0; i < 8; i++) {
            prefix.append(PREFIX_ALPHABET.charAt((prefixBytes[i] & 0xff) % PREFIX_ALPHABET.length()));
        }
        String derived = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256("ftk-operator-secret:" + secret));
        return new ApiKeyToken(prefix.toString(), derived);
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
        return DigestUtils.sha256(secret.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return prefix + "_***";
    }
}
