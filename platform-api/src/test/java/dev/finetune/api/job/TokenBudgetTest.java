package dev.finetune.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

@TestPropertySource(properties = "finetune.jobs.trained-token-budget=1000")
class TokenBudgetTest extends ApiTestBase {

    @Autowired
    JdbcClient jdbc;

    @Test
    void refusesANewJobOnceTheTenantsJobsHaveTrainedItsTokenBudget() {
        // given a tenant whose first job trained 1,000 tokens (as a worker records them)
        TestTenant tenant = newTenant("token-budget");
        String dataset = uploadDataset(tenant, "llamafactory_identity.json");
        Response first = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset));
        assertThat(first.status()).isEqualTo(201);
        Response second = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset));
        assertThat(second.status()).as("under budget").isEqualTo(201);
        jdbc.sql("UPDATE fine_tuning_jobs SET trained_tokens = 1000 WHERE id = :id")
                .param("id", UUID.fromString(first.text("id"))).update();

        // when
        Response over = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset));

        // then
        assertThat(over.status()).as(over.toString()).isEqualTo(429);
        assertThat(over.text("type")).isEqualTo("https://finetune.dev/problems/quota-exceeded");
        assertThat(over.json().path("used").asLong()).isEqualTo(1000);
        assertThat(over.json().path("limit").asLong()).isEqualTo(1000);
    }
}
