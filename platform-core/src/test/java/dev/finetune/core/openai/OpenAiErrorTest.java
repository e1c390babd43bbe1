package dev.finetune.core.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import org.junit.jupiter.api.Test;

class OpenAiErrorTest {

    @Test
    void carriesTheProblemsDetailFieldAndSlugAsOpenAiReadsThem() {
        PlatformProblem problem = new PlatformProblem(ProblemKind.INVALID_HYPERPARAMETER, "lora_r must be at least 1")
                .with("field", "hyperparameters.lora_r");

        OpenAiError.Body body = OpenAiError.of(problem).error();

        assertThat(body.message()).isEqualTo("lora_r must be at least 1");
        assertThat(body.type()).isEqualTo("invalid_request_error");
        assertThat(body.param()).isEqualTo("hyperparameters.lora_r");
        assertThat(body.code()).isEqualTo("invalid_hyperparameter");
    }

    @Test
    void prefersAnExplicitParamOverTheField() {
        PlatformProblem problem = new PlatformProblem(ProblemKind.VALIDATION, "bad").with("field", "a").with("param", "b");

        assertThat(OpenAiError.of(problem).error().param()).isEqualTo("b");
    }

    @Test
    void mapsStatusesToOpenAisErrorTypes() {
        assertThat(OpenAiError.typeOf(ProblemKind.UNAUTHENTICATED)).isEqualTo("authentication_error");
        assertThat(OpenAiError.typeOf(ProblemKind.FORBIDDEN_SCOPE)).isEqualTo("permission_error");
        assertThat(OpenAiError.typeOf(ProblemKind.NOT_FOUND)).isEqualTo("not_found_error");
        assertThat(OpenAiError.typeOf(ProblemKind.ILLEGAL_TRANSITION)).isEqualTo("conflict_error");
        assertThat(OpenAiError.typeOf(ProblemKind.INVALID_DATASET)).isEqualTo("unprocessable_entity_error");
        assertThat(OpenAiError.typeOf(ProblemKind.QUOTA_EXCEEDED)).isEqualTo("rate_limit_error");
        assertThat(OpenAiError.typeOf(ProblemKind.STORAGE_UNAVAILABLE)).isEqualTo("server_error");
        assertThat(OpenAiError.typeOf(ProblemKind.MALFORMED_REQUEST)).isEqualTo("invalid_request_error");
    }

    @Test
    void onlyOutagesRateLimitsAndFaultsAreWorthRetrying() {
        assertThat(OpenAiError.retryable(ProblemKind.ILLEGAL_TRANSITION)).isFalse();
        assertThat(OpenAiError.retryable(ProblemKind.CONFLICT)).isFalse();
        assertThat(OpenAiError.retryable(ProblemKind.VALIDATION)).isFalse();
        assertThat(OpenAiError.retryable(ProblemKind.QUOTA_EXCEEDED)).isTrue();
        assertThat(OpenAiError.retryable(ProblemKind.DATABASE_UNAVAILABLE)).isTrue();
        assertThat(OpenAiError.retryable(ProblemKind.INTERNAL)).isTrue();
    }
}
