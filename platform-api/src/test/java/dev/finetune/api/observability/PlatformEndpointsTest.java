package dev.finetune.api.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PlatformEndpointsTest extends ApiTestBase {

    @Test
    void servesAnOpenApiDocumentWithTheEndpointsAndTheBearerScheme() {
        // when
        Response r = api.get("/v3/api-docs", null);

        // then
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = r.json();
        assertThat(doc.path("paths").propertyNames()).contains("/api/v1/fine-tuning/jobs",
                "/api/v1/fine-tuning/jobs/{jobId}", "/api/v1/fine-tuning/jobs/{jobId}/cancel",
                "/api/v1/fine-tuning/jobs/{jobId}/events", "/api/v1/fine-tuning/jobs/{jobId}/metrics",
                "/api/v1/fine-tuning/jobs/{jobId}/checkpoints", "/api/v1/datasets", "/api/v1/datasets/{datasetId}",
                "/api/v1/datasets/{datasetId}/content", "/api/v1/base-models", "/api/v1/base-models/{modelId}",
                "/api/v1/tenants", "/api/v1/api-keys", "/api/v1/api-keys/{keyId}", "/api/v1/segments");
        JsonNode scheme = doc.path("components").path("securitySchemes").path("bearer");
        assertThat(scheme.path("type").asString()).isEqualTo("http");
        assertThat(scheme.path("scheme").asString()).isEqualTo("bearer");
        assertThat(doc.path("security").toString()).contains("bearer");
    }

    @Test
    void documentsEveryEnumByTheWireNameTheApiAcceptsAndWrites() {
        // when
        JsonNode schemas = api.get("/v3/api-docs", null).json().path("components").path("schemas");

        // then the settings' enums appear as the lower-case words of the JSON, never as Java constant names
        java.util.List<String> enums = new java.util.ArrayList<>();
        schemas.findValues("enum").forEach(e -> e.forEach(v -> enums.add(v.asString())));
        assertThat(enums).contains("lora", "qlora", "adapter", "cosine", "pfeiffer", "houlsby")
                .noneMatch(v -> v.equals(v.toUpperCase(java.util.Locale.ROOT)) && v.chars().anyMatch(Character::isLetter));
    }

    @Test
    void servesPrometheusOnlyToTheOperator() {
        // given a tenant's own admin key
        TestTenant tenant = newTenant("metrics-guard");

        // when
        Response anonymous = api.get("/actuator/prometheus", null);
        Response tenantAdmin = api.get("/actuator/prometheus", tenant.adminKey());
        Response operator = api.get("/actuator/prometheus", dev.finetune.api.support.Api.OPERATOR_KEY);

        // then every tenant's job counts stay with the operator
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.body()).contains("unauthenticated").doesNotContain("finetune_jobs");
        assertThat(tenantAdmin.status()).isEqualTo(403);
        assertThat(operator.status()).isEqualTo(200);
    }

    @Test
    void exposesHealthProbesWithoutAKeyAndPrometheusWithTheOperatorKey() {
        // given: one queued job exists
        TestTenant tenant = newTenant("metrics");
        String dataset = uploadDataset(tenant, "llamafactory_identity.json");
        api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset));

        // when
        Response liveness = api.get("/actuator/health/liveness", null);
        Response readiness = api.get("/actuator/health/readiness", null);
        Response prometheus = api.get("/actuator/prometheus", dev.finetune.api.support.Api.OPERATOR_KEY);

        // then
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.body()).contains("finetune_queue_depth{", "state=\"queued\"", "state=\"leased\"")
                .contains("finetune_jobs{", "status=\"queued\"")
                .contains("finetune_metrics_reporter")
                .contains("finetune_jobs_submitted_total{", "method=\"")
                // histogram buckets, so quantiles aggregate across replicas
                .contains("http_server_requests_seconds_bucket{");
        // readiness names the database and the object store it depends on
        assertThat(readiness.json().path("components").path("db").path("status").asString()).isEqualTo("UP");
        assertThat(readiness.json().path("components").path("objectStorage").path("status").asString()).isEqualTo("UP");
        assertThat(readiness.json().path("components").path("objectStorage").path("details").toString())
                .contains("bucket").doesNotContain("secret");
    }
}
