package dev.finetune.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;

/**
 * Opaque page cursors ({@code last_id}, passed back as {@code after}): base64url of {@code kind:position},
 * so a cursor of one list fails on another.
 */
final class Cursors {

    private Cursors() {
    }

    static String encode(String kind, Object position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((kind + ":" + position).getBytes(StandardCharsets.UTF_8));
    }

    /** The position, or null for no cursor; a cursor that is not of this kind is a 400. */
    static String decode(String kind, String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith(kind + ":")) {
                return text.substring(kind.length() + 1);
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw notHandedOut();
    }

    static Long decodeLong(String kind, String cursor) {
        String position = decode(kind, cursor);
        try {
            return position == null ? null : Long.valueOf(position);
        } catch (NumberFormatException e) {
            throw notHandedOut();
        }
    }

    /** Names {@code after}, the documented parameter, also when the deprecated {@code cursor} carried it. */
    private static PlatformProblem notHandedOut() {
        return new PlatformProblem(ProblemKind.VALIDATION,
                "after (or its deprecated alias cursor) is not a last_id this list handed out")
                .with("param", "after").with("field", "after");
    }

    static int limit(Integer requested) {
        if (requested == null) {
            return Page.DEFAULT_LIMIT;
        }
        if (requested < 1 || requested > Page.MAX_LIMIT) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "limit must be between 1 and " + Page.MAX_LIMIT
                    + " but was " + requested).with("param", "limit").with("field", "limit");
        }
        return requested;
    }
}
