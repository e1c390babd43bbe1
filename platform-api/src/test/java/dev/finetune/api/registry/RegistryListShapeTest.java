package dev.finetune.api.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's one list shape, one problem extension name and one casing, through the whole API: the
 * registry's lists answer like every other list, its problems name the field in {@code param}, and a
 * problem's camelCase extensions are also written in snake_case.
 */
class RegistryListShapeTest extends ApiTestBase {

    TestTenant tenant;

    @BeforeEach
    void tenant() {
        tenant = newTenant("listshape");
        Response repository = api.send(api.request("/api/v1/registry/repositories/default", tenant.adminKey())
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"description\": \"list shape\"}")).build());
        assertThat(repository.status()).as(repository.toString()).isEqualTo(200);
    }

    @Test
    void registryListsAnswerTheApiListShapeBesideTheDeprecatedNames() {
        for (String list : new String[] {"/api/v1/registry/repositories", "/api/v1/registry/versions",
                "/api/v1/registry/repositories/default/versions?after=", "/api/v1/datasets"}) {
            // when
            Response r = api.get(list, tenant.adminKey());

            // then
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.text("object")).as(list).isEqualTo("list");
            assertThat(r.json().path("data").isArray()).as(list).isTrue();
            assertThat(r.json().path("has_more").asBoolean(true)).as(list).isFalse();
            assertThat(r.json().has("last_id")).as(list).isTrue();
        }
        Response versions = api.get("/api/v1/registry/repositories/default/versions", tenant.adminKey());
        assertThat(versions.json().path("items")).isEqualTo(versions.json().path("data"));
        assertThat(versions.json().path("next_cursor").isNull()).isTrue();
    }

    @Test
    void registryProblemsNameTheFieldInParamAndKeepField() {
        // when
        Response limit = api.get("/api/v1/registry/repositories/default/versions?limit=0", tenant.adminKey());
        Response after = api.get("/api/v1/registry/repositories?after=bm90LWEtY3Vyc29y", tenant.adminKey());

        // then
        assertThat(limit.status()).as(limit.toString()).isEqualTo(400);
        assertThat(limit.contentType()).startsWith("application/problem+json");
        assertThat(limit.text("param")).isEqualTo("limit");
        assertThat(limit.text("field")).isEqualTo("limit");
        assertThat(after.status()).as(after.toString()).isEqualTo(400);
        assertThat(after.text("param")).isEqualTo("after");
    }

    @Test
    void aCamelCaseProblemExtensionIsAlsoWrittenInSnakeCase() {
        // when: a tenant admin asks for what only the operator may do
        Response r = api.postJson("/api/v1/tenants", tenant.adminKey(), java.util.Map.of("name", "nope"));

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(403);
        assertThat(r.text("required_scope")).isEqualTo("operator");
        assertThat(r.text("requiredScope")).isEqualTo("operator");
    }
}
