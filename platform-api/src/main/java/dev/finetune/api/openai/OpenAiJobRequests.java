package dev.finetune.api.openai;

import java.util.Locale;
import java.util.Set;

import dev.finetune.api.job.CreateJobRequest;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.settings.FineTuningMethod;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns OpenAI's create body into the native {@link CreateJobRequest}, read by the same strict JSON
 * mapper and checked by the same bean-validation rules as a native body, so both surfaces accept and
 * refuse the same things: OpenAI's {@code "auto"} is the setting's default, {@code learning_rate_multiplier}
 * times the method's base rate ({@link LearningRates}) is {@code learning_rate}, what cannot be
 * honoured ({@code integrations}, {@code dpo}, {@code reinforcement}) is refused naming the field.
 */
@Component
class OpenAiJobRequests {

    private final JsonMapper json;
    private final Validator validator;

    OpenAiJobRequests(JsonMapper json, Validator validator) {
        this.json = json;
        this.validator = validator;
    }

    CreateJobRequest toNative(OpenAiJobRequest r) {
        if (r == null) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "the request body is required");
        }
        if (r.integrations() != null && !r.integrations().isEmpty()) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "integrations (such as wandb) are not supported; the job's"
                    + " events and metrics are at /v1/fine_tuning/jobs/{id}/events and /api/v1/fine-tuning/jobs/{id}/metrics")
                    .with("param", "integrations");
        }
        JsonNode supervisedHp = supervisedHyperparameters(r.method());
        if (supervisedHp != null && r.hyperparameters() != null && !r.hyperparameters().isNull()) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "give hyperparameters either in"
                    + " method.supervised.hyperparameters or at the top level, not both").with("param", "hyperparameters");
        }
        FineTuningMethod method = peftMethod(r.peftMethod());
        String where = supervisedHp != null ? "method.supervised.hyperparameters" : "hyperparameters";
        JsonNode given = supervisedHp != null ? supervisedHp : r.hyperparameters();

        ObjectNode body = json.createObjectNode();
        body.put("model", r.model());
        body.put("training_file", r.trainingFile());
        body.put("validation_file", r.validationFile());
        body.put("method", method.wireName());
        if (given != null && !given.isNull()) {
            body.set("hyperparameters", settings(given, where, method));
        }
        body.put("segment", r.segment());
        body.put("suffix", r.suffix());
        if (r.metadata() != null) {
            body.set("metadata", json.valueToTree(r.metadata()));
        }
        if (r.seed() != null) {
            body.put("seed", r.seed());
        }
        CreateJobRequest request;
        try {
            request = json.treeToValue(body, CreateJobRequest.class);
        } catch (JacksonException e) {
            // explained as a native body's would be (field path, known fields, the rule a setting broke)
            throw new HttpMessageNotReadableException(e.getOriginalMessage(), e, null);
        }
        Set<ConstraintViolation<CreateJobRequest>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            ConstraintViolation<CreateJobRequest> first = violations.stream()
                    .min(java.util.Comparator.comparing(v -> v.getPropertyPath().toString())).orElseThrow();
            String param = param(first.getPropertyPath().toString());
            throw new PlatformProblem(ProblemKind.VALIDATION, param + " " + first.getMessage()).with("param", param);
        }
        return request;
    }

    private static JsonNode supervisedHyperparameters(OpenAiJobRequest.Method method) {
        if (method == null) {
            return null;
        }
        if (method.type() == null || method.type().isBlank()) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "method.type is required: supervised")
                    .with("param", "method.type");
        }
        if (!method.type().equals("supervised")) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "method.type '" + method.type()
                    + "' is not supported: this platform trains supervised (LoRA, QLoRA, adapter) fine-tunes only")
                    .with("param", "method.type");
        }
        if (method.dpo() != null || method.reinforcement() != null) {
            String param = method.dpo() != null ? "method.dpo" : "method.reinforcement";
            throw new PlatformProblem(ProblemKind.VALIDATION, param + " does not go with method.type supervised")
                    .with("param", param);
        }
        return method.supervised() == null || method.supervised().hyperparameters() == null
                || method.supervised().hyperparameters().isNull() ? null : method.supervised().hyperparameters();
    }

    private static FineTuningMethod peftMethod(String wire) {
        if (wire == null || wire.isBlank()) {
            return FineTuningMethod.DEFAULT;
        }
        try {
            return FineTuningMethod.fromWire(wire.trim().toLowerCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "peft_method must be one of lora, qlora, adapter but was '"
                    + wire + "'").with("param", "peft_method");
        }
    }

    /** OpenAI's three ("auto" or a value) folded into the native settings object; the rest passes as it is. */
    private ObjectNode settings(JsonNode given, String where, FineTuningMethod method) {
        if (!given.isObject()) {
            throw new PlatformProblem(ProblemKind.VALIDATION, where + " must be an object").with("param", where);
        }
        ObjectNode out = ((ObjectNode) given).deepCopy();
        for (String integer : new String[] {"n_epochs", "batch_size"}) {
            JsonNode v = out.get(integer);
            if (v != null && (isAuto(v) || v.isNull())) {
                out.remove(integer);
            } else if (v != null && !v.isIntegralNumber()) {
                throw new PlatformProblem(ProblemKind.INVALID_HYPERPARAMETER, where + "." + integer
                        + " must be \"auto\" or an integer").with("param", where + "." + integer);
            }
        }
        JsonNode multiplier = out.remove("learning_rate_multiplier");
        if (multiplier != null && !isAuto(multiplier) && !multiplier.isNull()) {
            String param = where + ".learning_rate_multiplier";
            if (!multiplier.isNumber()) {
                throw new PlatformProblem(ProblemKind.INVALID_HYPERPARAMETER, param + " must be \"auto\" or a number")
                        .with("param", param);
            }
            if (out.has("learning_rate")) {
                throw new PlatformProblem(ProblemKind.INVALID_HYPERPARAMETER, "give " + param + " or " + where
                        + ".learning_rate, not both").with("param", param);
            }
            double base = LearningRates.base(method);
            double rate = multiplier.asDouble() * base;
            if (!(rate > 0 && rate <= 1)) {
                throw new PlatformProblem(ProblemKind.INVALID_HYPERPARAMETER, param + " must be > 0 and at most "
                        + (1 / base) + " (it multiplies " + method.wireName() + "'s base learning rate " + base + ") but was "
                        + multiplier.asDouble()).with("param", param);
            }
            out.put("learning_rate", rate);
        }
        return out;
    }

    private static boolean isAuto(JsonNode v) {
        return v.isString() && v.asString().equals("auto");
    }

    /** Bean validation's property path in the wire's snake_case, up to the field ({@code metadata<K>[x]} is metadata). */
    private static String param(String path) {
        String field = path.split("[.\\[<]", 2)[0];
        return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
