package dev.finetune.registry.web;

import java.util.function.Supplier;

import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.common.Checks;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.registry.GatePolicy;

/** What every registry endpoint does first: check the caller and turn bad input into a 400 problem. */
final class Requests {

    private Requests() {
    }

    /** The caller, after checking it has {@code scope}; a missing principal is a 401. */
    static Caller require(Caller caller, ApiKeyScope scope) {
        if (caller == null) {
            throw new PlatformProblem(ProblemKind.UNAUTHENTICATED, "no API key was presented");
        }
        caller.require(scope);
        return caller;
    }

    static SegmentName segment(String segment) {
        return valid(() -> new SegmentName(segment));
    }

    /** Text the registry stores or looks up (a tag, a reason, a description): no control characters, NUL included. */
    static String text(String value, String field) {
        return valid(() -> Checks.noControlCharacters(value, field));
    }

    /** An alias name from the URL, checked before any lookup so that a bad one is a 400, never a 404. */
    static String alias(String alias) {
        return valid(() -> Checks.matches(alias, GatePolicy.ALIAS, "alias"));
    }

    /** Runs a constructor or parser whose {@link IllegalArgumentException} names the bad field first. */
    static <T> T valid(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "invalid request" : e.getMessage();
            int space = message.indexOf(' ');
            return throwValidation(message, space > 0 ? message.substring(0, space) : null);
        }
    }

    private static <T> T throwValidation(String message, String field) {
        PlatformProblem problem = new PlatformProblem(ProblemKind.VALIDATION, message);
        throw field == null ? problem : problem.with("param", field).with("field", field);
    }

    /**
     * Where a page starts: {@code after} (a {@code last_id} this list handed out), or {@code cursor}, its
     * deprecated alias; both given and different is a 400.
     */
    static String after(String after, String cursor) {
        if (after != null && cursor != null && !after.equals(cursor)) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "give after or its deprecated alias cursor, not both")
                    .with("param", "cursor").with("field", "cursor");
        }
        return after != null ? after : cursor;
    }

    /** Who the audit trail and the lineage name: the API key's public prefix. */
    static String actor(Caller caller) {
        return caller.keyPrefix();
    }
}
