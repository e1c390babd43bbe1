package dev.finetune.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import dev.finetune.api.support.Api;
import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OperatorJobApiTest extends ApiTestBase {

    TestTenant tenant;
    String jobId;

    @BeforeEach
    void aTenantWithAQueuedJob() {
        tenant = newTenant("operator-cancel");
        String dataset = uploadDataset(tenant, "llamafactory_identity.json");
        jobId = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).text("id");
    }

    @Test
    void theOperatorCancelsAnotherTenantsJobWithAReasonTheTenantReads() {
        // when
        Response r = api.postJson("/api/v1/operator/fine-tuning/jobs/" + jobId + "/cancel", Api.OPERATOR_KEY,
                Map.of("reason", "holds the only worker for days"));

        // then the job is cancelled, and its events say who and why
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.text("status")).isEqualTo("cancelled");
        Response events = api.get("/api/v1/fine-tuning/jobs/" + jobId + "/events", tenant.adminKey());
        assertThat(events.json().path("data").toString())
                .contains("Cancelled by the platform operator: holds the only worker for days");
    }

    @Test
    void refusesATenantsKeyAndACancelWithoutAReason() {
        // when
        Response byTenant = api.postJson("/api/v1/operator/fine-tuning/jobs/" + jobId + "/cancel", tenant.adminKey(),
                Map.of("reason", "mine"));
        Response noReason = api.postJson("/api/v1/operator/fine-tuning/jobs/" + jobId + "/cancel", Api.OPERATOR_KEY,
                Map.of("reason", " "));
        Response unknown = api.postJson("/api/v1/operator/fine-tuning/jobs/" + UUID.randomUUID() + "/cancel",
                Api.OPERATOR_KEY, Map.of("reason", "gone"));

        // then
        assertThat(byTenant.status()).isEqualTo(403);
        assertThat(byTenant.text("requiredScope")).isEqualTo("operator");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(api.get("/api/v1/fine-tuning/jobs/" + jobId, tenant.adminKey()).text("status")).isEqualTo("queued");
    }
}
