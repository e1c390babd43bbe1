package dev.finetune.api.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.UnprocessableEntityException;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.FineTuningJobEvent;
import com.openai.models.finetuning.jobs.JobCreateParams;
import com.openai.models.finetuning.jobs.JobListEventsParams;
import com.openai.models.finetuning.methods.SupervisedHyperparameters;
import com.openai.models.finetuning.methods.SupervisedMethod;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The official OpenAI Java SDK, given only this API's {@code /v1} base URL and a key, against the
 * OpenAI-compatible surface: files, job create (OpenAI's body with "auto" and a learning-rate
 * multiplier, our extensions as extra fields, an Idempotency-Key retry), list, retrieve, events,
 * checkpoints and cancel, each response validated by the SDK; bad input gets OpenAI errors whose
 * {@code code} and {@code param} the SDK exposes; keys, scopes and tenants as on the native API.
 * (Training to {@code succeeded} needs a worker: {@code tests/.../OpenAiSdkIT}.)
 */
class OpenAiSdkTest extends ApiTestBase {

    @TempDir
    Path dir;

    private OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(api.base() + "/v1").apiKey(key).responseValidation(true).build();
    }

    private Path file(String name, List<String> lines) {
        try {
            return Files.write(dir.resolve(name), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> records(int n) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"instruction\": \"Say " + i + "\", \"input\": \"\", \"output\": \"" + i + "\"}");
        }
        return lines;
    }

    private FileObject upload(OpenAIClient client) {
        return client.files().create(FileCreateParams.builder().file(file("train.jsonl", records(12)))
                .purpose(FilePurpose.FINE_TUNE).build());
    }

    @Test
    void filesThenAJobWithOpenAisBodyAndOurExtensionsThroughTheSdk() {
        TestTenant tenant = newTenant("oai-sdk");
        OpenAIClient client = sdk(tenant.adminKey());
        demoModelId();

        // files: create, retrieve, list, content
        FileObject file = upload(client);
        assertThat(file.purpose()).isEqualTo(FileObject.Purpose.FINE_TUNE);
        assertThat(file.status()).isEqualTo(FileObject.Status.PROCESSED);
        assertThat(file.filename()).isEqualTo("train.jsonl");
        assertThat(file.createdAt()).isBetween(System.currentTimeMillis() / 1000 - 600, System.currentTimeMillis() / 1000 + 5);
        assertThat(client.files().retrieve(file.id()).bytes()).isEqualTo(file.bytes());
        assertThat(client.files().list().data()).extracting(FileObject::id).containsExactly(file.id());
        try (var content = client.files().content(file.id())) {
            assertThat(new String(content.body().readAllBytes(), StandardCharsets.UTF_8)).startsWith("{\"instruction\": \"Say 0\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        // when: a job as OpenAI documents it, with our PEFT method and segment as extra body fields, retried once
        String key = "oai-" + UUID.randomUUID();
        JobCreateParams params = JobCreateParams.builder().model("tinystories-656k").trainingFile(file.id())
                .suffix("sdk").seed(42L)
                .metadata(JobCreateParams.Metadata.builder().putAdditionalProperty("pipeline", JsonValue.from("ci-7")).build())
                .method(JobCreateParams.Method.builder().type(JobCreateParams.Method.Type.SUPERVISED)
                        .supervised(SupervisedMethod.builder().hyperparameters(SupervisedHyperparameters.builder()
                                .nEpochsAuto().batchSize(2L).learningRateMultiplier(2.0)
                                .putAdditionalProperty("max_steps", JsonValue.from(3))
                                .putAdditionalProperty("lora_r", JsonValue.from(4)).build()).build()).build())
                .putAdditionalBodyProperty("peft_method", JsonValue.from("qlora"))
                .putAdditionalBodyProperty("segment", JsonValue.from("default"))
                .putAdditionalHeader("Idempotency-Key", key).build();
        FineTuningJob job = client.fineTuning().jobs().create(params);
        FineTuningJob retried = client.fineTuning().jobs().create(params);

        // then: one job, stored as asked, in OpenAI's shape (validated by the SDK)
        assertThat(retried.id()).isEqualTo(job.id());
        assertThat(job.status()).isEqualTo(FineTuningJob.Status.QUEUED);
        assertThat(job.model()).isEqualTo("tinystories-656k");
        assertThat(job.trainingFile()).isEqualTo(file.id());
        assertThat(job.seed()).isEqualTo(42);
        // the SDK's FineTuningJob does not model suffix: it is an extra field
        assertThat(job._additionalProperties().get("suffix")).isEqualTo(JsonValue.from("sdk"));
        assertThat(job._additionalProperties().get("peft_method")).isEqualTo(JsonValue.from("qlora"));
        assertThat(job.metadata().orElseThrow()._additionalProperties().get("pipeline")).isEqualTo(JsonValue.from("ci-7"));
        assertThat(job.organizationId()).isEqualTo(tenant.id());
        assertThat(job.finishedAt()).isEmpty();
        assertThat(job.fineTunedModel()).isEmpty();
        assertThat(job.error()).isEmpty();
        FineTuningJob.Hyperparameters hp = job.hyperparameters();
        assertThat(hp.batchSize().orElseThrow().asInteger()).isEqualTo(2);
        assertThat(hp.nEpochs().orElseThrow().asInteger()).isEqualTo(3);
        assertThat(hp.learningRateMultiplier().orElseThrow().asNumber()).isEqualTo(2.0);
        assertThat(hp._additionalProperties().get("learning_rate")).isEqualTo(JsonValue.from(4e-4));
        assertThat(hp._additionalProperties().get("lora_r")).isEqualTo(JsonValue.from(4));
        assertThat(job.method().orElseThrow().type()).isEqualTo(FineTuningJob.Method.Type.SUPERVISED);
        // the native API sees the same job
        JsonNode nativeJob = api.get("/api/v1/fine-tuning/jobs/" + job.id(), tenant.adminKey()).json();
        assertThat(nativeJob.path("method").asString()).isEqualTo("qlora");
        assertThat(nativeJob.path("suffix").asString()).isEqualTo("sdk");
        assertThat(nativeJob.path("hyperparameters").path("learning_rate").asDouble()).isEqualTo(4e-4);

        // list, retrieve, events (newest first, string ids, type), checkpoints (none yet)
        assertThat(client.fineTuning().jobs().list().data()).extracting(FineTuningJob::id).contains(job.id());
        assertThat(client.fineTuning().jobs().retrieve(job.id()).id()).isEqualTo(job.id());
        List<FineTuningJobEvent> events = client.fineTuning().jobs().listEvents(job.id()).data();
        assertThat(events).hasSizeGreaterThanOrEqualTo(2);
        assertThat(events.get(0).message()).startsWith("Job queued");
        assertThat(Long.parseLong(events.get(0).id())).isGreaterThan(Long.parseLong(events.get(1).id()));
        assertThat(events).allSatisfy(e -> assertThat(e.type()).contains(FineTuningJobEvent.Type.MESSAGE));
        List<FineTuningJobEvent> older = client.fineTuning().jobs().listEvents(JobListEventsParams.builder()
                .fineTuningJobId(job.id()).after(events.get(0).id()).limit(1L).build()).data();
        assertThat(older).extracting(FineTuningJobEvent::id).containsExactly(events.get(1).id());
        assertThat(client.fineTuning().jobs().checkpoints().list(job.id()).data()).isEmpty();

        // cancel: queued -> cancelled; again: a 409 the SDK is told not to retry
        FineTuningJob cancelled = client.fineTuning().jobs().cancel(job.id());
        assertThat(cancelled.status()).isEqualTo(FineTuningJob.Status.CANCELLED);
        assertThat(cancelled.finishedAt()).isPresent();
        OpenAIServiceException conflict = catchThrowableOfType(OpenAIServiceException.class,
                () -> client.fineTuning().jobs().cancel(job.id()));
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.code()).contains("illegal_transition");
        assertThat(conflict.headers().values("x-should-retry")).containsExactly("false");
    }

    @Test
    void badInputGetsOpenAiErrorsWithParamAndCode() {
        TestTenant tenant = newTenant("oai-bad");
        OpenAIClient client = sdk(tenant.adminKey());
        String model = demoModelId();
        String file = upload(client).id();

        // a bad record: 422 naming the line and field, nothing stored
        List<String> lines = records(6);
        lines.set(2, "{\"instruction\": \"hi\", \"input\": \"\"}");
        UnprocessableEntityException invalid = catchThrowableOfType(UnprocessableEntityException.class,
                () -> client.files().create(FileCreateParams.builder().file(file("bad.jsonl", lines))
                        .purpose(FilePurpose.FINE_TUNE).build()));
        assertThat(invalid.code()).contains("invalid_dataset");
        assertThat(invalid.param()).contains("file");
        JsonNode errors = Api_json(invalid).path("errors");
        assertThat(errors.get(0).path("line").asInt()).isEqualTo(3);
        assertThat(errors.get(0).path("field").asString()).isEqualTo("output");
        assertThat(client.files().list().data()).hasSize(1);

        // purpose other than fine-tune
        BadRequestException purpose = catchThrowableOfType(BadRequestException.class,
                () -> client.files().create(FileCreateParams.builder().file(file("a.jsonl", records(3)))
                        .purpose(FilePurpose.ASSISTANTS).build()));
        assertThat(purpose.param()).contains("purpose");
        assertThat(purpose.code()).contains("validation");

        // unknown model, another method type, a setting out of range, integrations, both learning rates
        NotFoundException noModel = catchThrowableOfType(NotFoundException.class, () -> client.fineTuning().jobs()
                .create(JobCreateParams.builder().model("no-such-model").trainingFile(file).build()));
        assertThat(noModel.param()).contains("model");
        assertThat(noModel.code()).contains("not_found");
        assertThat(noModel.type()).contains("not_found_error");

        BadRequestException dpo = catchThrowableOfType(BadRequestException.class, () -> client.fineTuning().jobs()
                .create(JobCreateParams.builder().model(model).trainingFile(file).method(JobCreateParams.Method.builder()
                        .type(JobCreateParams.Method.Type.DPO).build()).build()));
        assertThat(dpo.param()).contains("method.type");

        BadRequestException rank = catchThrowableOfType(BadRequestException.class, () -> client.fineTuning().jobs()
                .create(JobCreateParams.builder().model(model).trainingFile(file).hyperparameters(
                        JobCreateParams.Hyperparameters.builder().putAdditionalProperty("lora_r", JsonValue.from(0)).build())
                        .build()));
        assertThat(rank.param()).contains("hyperparameters.lora_r");
        assertThat(rank.code()).contains("invalid_hyperparameter");

        BadRequestException integrations = catchThrowableOfType(BadRequestException.class, () -> client.fineTuning().jobs()
                .create(JobCreateParams.builder().model(model).trainingFile(file).addIntegration(
                        JobCreateParams.Integration.builder().wandb(JobCreateParams.Integration.Wandb.builder()
                                .project("p").build()).build()).build()));
        assertThat(integrations.param()).contains("integrations");

        BadRequestException both = catchThrowableOfType(BadRequestException.class, () -> client.fineTuning().jobs()
                .create(JobCreateParams.builder().model(model).trainingFile(file).hyperparameters(
                        JobCreateParams.Hyperparameters.builder().learningRateMultiplier(2.0)
                                .putAdditionalProperty("learning_rate", JsonValue.from(0.001)).build()).build()));
        assertThat(both.param()).contains("hyperparameters.learning_rate_multiplier");

        BadRequestException unknownSetting = catchThrowableOfType(BadRequestException.class, () -> client.fineTuning().jobs()
                .create(JobCreateParams.builder().model(model).trainingFile(file).hyperparameters(
                        JobCreateParams.Hyperparameters.builder().putAdditionalProperty("lora_rank", JsonValue.from(4)).build())
                        .build()));
        assertThat(unknownSetting.param()).contains("hyperparameters.lora_rank");
        assertThat(unknownSetting.getMessage()).contains("lora_r");

        BadRequestException epochs = catchThrowableOfType(BadRequestException.class, () -> client.fineTuning().jobs()
                .create(JobCreateParams.builder().model(model).trainingFile(file).method(JobCreateParams.Method.builder()
                        .type(JobCreateParams.Method.Type.SUPERVISED).supervised(SupervisedMethod.builder()
                                .hyperparameters(SupervisedHyperparameters.builder()
                                        .nEpochs(SupervisedHyperparameters.NEpochs.ofAuto()).build()).build()).build())
                        .putAdditionalBodyProperty("peft_method", JsonValue.from("prefix-tuning")).build()));
        assertThat(epochs.param()).contains("peft_method");

        BadRequestException unknownField = catchThrowableOfType(BadRequestException.class, () -> client.fineTuning().jobs()
                .create(JobCreateParams.builder().model(model).trainingFile(file)
                        .putAdditionalBodyProperty("lora_rank", JsonValue.from(4)).build()));
        assertThat(unknownField.param()).contains("lora_rank");

        assertThatThrownBy(() -> client.fineTuning().jobs().retrieve(UUID.randomUUID().toString()))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.fineTuning().jobs().retrieve("ftjob-abc")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void keysScopesAndTenantsAsOnTheNativeApi() {
        TestTenant owner = newTenant("oai-owner");
        TestTenant other = newTenant("oai-other");
        OpenAIClient client = sdk(owner.adminKey());
        String model = demoModelId();
        String file = upload(client).id();
        FineTuningJob job = client.fineTuning().jobs().create(JobCreateParams.builder().model(model).trainingFile(file).build());

        // another tenant: 404, never 403, for the job, its events and the file
        OpenAIClient intruder = sdk(other.adminKey());
        assertThatThrownBy(() -> intruder.fineTuning().jobs().retrieve(job.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> intruder.fineTuning().jobs().listEvents(job.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> intruder.fineTuning().jobs().cancel(job.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> intruder.files().retrieve(file)).isInstanceOf(NotFoundException.class);
        NotFoundException foreignFile = catchThrowableOfType(NotFoundException.class, () -> intruder.fineTuning().jobs()
                .create(JobCreateParams.builder().model(model).trainingFile(file).build()));
        assertThat(foreignFile.param()).contains("training_file");
        assertThat(intruder.fineTuning().jobs().list().data()).isEmpty();

        // a read key may read but not create or cancel
        OpenAIClient reader = sdk(key(owner, "read"));
        assertThat(reader.fineTuning().jobs().retrieve(job.id()).id()).isEqualTo(job.id());
        PermissionDeniedException denied = catchThrowableOfType(PermissionDeniedException.class,
                () -> reader.fineTuning().jobs().cancel(job.id()));
        assertThat(denied.code()).contains("forbidden_scope");
        assertThat(denied.type()).contains("permission_error");

        // no key or a wrong one: 401 in OpenAI's shape
        UnauthorizedException unauthorized = catchThrowableOfType(UnauthorizedException.class,
                () -> sdk("ftk_nope_" + "x".repeat(43)).fineTuning().jobs().list());
        assertThat(unauthorized.code()).contains("unauthenticated");
        client.fineTuning().jobs().cancel(job.id());
    }

    @Test
    void everyErrorUnderV1IsOpenAiShapedAndTheNativeApiKeepsItsProblems() {
        TestTenant tenant = newTenant("oai-errors");
        String key = tenant.adminKey();

        assertOpenAi(send(api.request("/v1/fine_tuning/jobs", null).GET()), 401, "unauthenticated");
        assertOpenAi(send(api.request("/v1/files", "ftk_nope_" + "x".repeat(43)).GET()), 401, "unauthenticated");
        assertOpenAi(send(api.request("/v1/fine_tuning/nothing", key).GET()), 404, "not_found");
        assertOpenAi(send(api.request("/v1/files/" + UUID.randomUUID(), key).GET()), 404, "not_found");
        HttpResponse<String> method = send(api.request("/v1/fine_tuning/jobs", key).DELETE());
        assertOpenAi(method, 405, "method_not_allowed");
        assertThat(method.headers().firstValue("Allow")).isPresent();
        assertOpenAi(send(api.request("/v1/fine_tuning/jobs", key).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("model=x"))), 415, "unsupported_media_type");
        assertOpenAi(send(api.request("/v1/fine_tuning/jobs", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"x\","))), 400, "malformed_request");
        HttpResponse<String> typed = send(api.request("/v1/fine_tuning/jobs", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"x\", \"training_file\": \"y\", \"seed\": \"7\"}")));
        assertOpenAi(typed, 400, "validation");
        assertThat(json(typed).path("error").path("param").asString()).isEqualTo("seed");
        assertOpenAi(send(api.request("/v1/fine_tuning/jobs?metadata%5Bk%5D=v", key).GET()), 400, "validation");
        assertOpenAi(send(api.request("/v1/files?order=asc", key).GET()), 400, "validation");
        assertOpenAi(send(api.request("/v1/fine_tuning/jobs?limit=0", key).GET()), 400, "validation");

        // the native API is unchanged: RFC 9457
        HttpResponse<String> nativeNoKey = send(api.request("/api/v1/fine-tuning/jobs", null).GET());
        assertThat(nativeNoKey.statusCode()).isEqualTo(401);
        assertThat(nativeNoKey.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(nativeNoKey).path("type").asString()).isEqualTo("https://finetune.dev/problems/unauthenticated");
        assertThat(nativeNoKey.headers().firstValue("x-should-retry")).isEmpty();
        // and the serving module's paths are not claimed here
        HttpResponse<String> models = send(api.request("/v1/models", key).GET());
        assertThat(models.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        return dev.finetune.api.support.Api.JSON.readTree(r.body());
    }

    private static void assertOpenAi(HttpResponse<String> r, int status, String code) {
        String seen = r.statusCode() + " " + r.headers().map() + " " + r.body();
        assertThat(r.statusCode()).as(seen).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).as(seen).startsWith("application/json");
        assertThat(r.headers().firstValue("x-should-retry")).as(seen).contains("false");
        JsonNode error = json(r).path("error");
        assertThat(error.path("code").asString()).as(seen).isEqualTo(code);
        assertThat(error.path("message").asString()).as(seen).isNotBlank();
        assertThat(error.path("type").asString()).as(seen).isNotBlank();
        assertThat(error.has("param")).as(seen).isTrue();
    }

    private static JsonNode Api_json(OpenAIServiceException e) {
        return dev.finetune.api.support.Api.JSON.readTree(e.body().toString().isEmpty() ? "{}" : jsonOf(e.body()));
    }

    private static String jsonOf(JsonValue value) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

}
