package dev.finetune.api.openai;

import java.util.UUID;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;

/** Ids in OpenAI paths are plain strings: one that is no id of ours names nothing, a 404 like any unknown id. */
final class Ids {

    private Ids() {
    }

    static UUID parse(String text, String what) {
        try {
            return UUID.fromString(text.trim());
        } catch (IllegalArgumentException e) {
            throw new PlatformProblem(ProblemKind.NOT_FOUND, what + " " + text + " does not exist").with("resource", what);
        }
    }

    /** A cursor ({@code after}): the same parse, but an unknown value is the parameter's fault. */
    static UUID cursor(String text, String param) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(text.trim());
        } catch (IllegalArgumentException e) {
            throw new PlatformProblem(ProblemKind.VALIDATION, param + " must be the id of an item of an earlier page")
                    .with("param", param);
        }
    }

    static int limit(Integer limit, int dflt, int max) {
        int value = limit == null ? dflt : limit;
        if (value < 1 || value > max) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "limit must be between 1 and " + max + " but was " + value)
                    .with("param", "limit");
        }
        return value;
    }
}
