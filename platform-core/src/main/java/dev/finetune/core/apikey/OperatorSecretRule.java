package dev.finetune.core.apikey;

/**
 * What an operator's own bootstrap secret must be: at least {@value #MIN_LENGTH} printable
 * characters without spaces, drawn from at least {@value #MIN_DISTINCT} different characters. The
 * documented generators pass it ({@code openssl rand -hex 32}: 64 characters of 16; {@code openssl
 * rand -base64 32}: 44 of 64); a memorable phrase or a sample value such as
 * {@code ft-bootstrap-local-only} does not.
 */
public final class OperatorSecretRule {

    public static final int MIN_LENGTH = 32;
    public static final int MIN_DISTINCT = 10;
    static final String HOW_TO = "generate one with 'openssl rand -hex 32', or leave it unset and the API prints a key once";

    private OperatorSecretRule() {
    }

    /** @throws IllegalArgumentException naming the rule the secret breaks, never the secret */
    public static void check(String secret) {
        String s = secret == null ? "" : secret.trim();
        if (s.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the operator secret has " + s.length() + " characters; it needs at least "
                    + MIN_LENGTH + " (" + HOW_TO + ")");
        }
        if (!s.chars().allMatch(c -> c > ' ' && c <= '~')) {
            throw new IllegalArgumentException("the operator secret may hold only printable ASCII without spaces (" + HOW_TO + ")");
        }
        if (s.length() > 512) {
            throw new IllegalArgumentException("the operator secret has " + s.length() + " characters; at most 512");
        }
        long distinct = s.chars().distinct().count();
        if (distinct < MIN_DISTINCT) {
            throw new IllegalArgumentException("the operator secret uses only " + distinct + " different characters; it needs at least "
                    + MIN_DISTINCT + " (" + HOW_TO + ")");
        }
    }
}
