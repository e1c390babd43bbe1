package dev.finetune.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.json.CoreJson;
import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.TrainingSettings;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The API's defaults are the shared settings' defaults: a job with empty hyperparameters stores them,
 * and the defaults document the dashboard reads serves them for every field the dashboard shows.
 * The CLI's side is trainer-engine's {@code SettingsDefaultsTest}.
 */
class JobDefaultsTest extends ApiTestBase {

    static JsonNode settingsDefaults() {
        return CoreJson.mapper().valueToTree(
                Hyperparameters.of(TrainingSettings.DEFAULTS, LoraSettings.DEFAULTS, BottleneckSettings.DEFAULTS));
    }

    @Test
    void storesTheSharedDefaultsForAJobWithEmptyHyperparameters() {
        // given
        TestTenant tenant = newTenant("defaults");
        Map<String, Object> body = new HashMap<>(jobRequest(uploadDataset(tenant, "llamafactory_identity.json")));
        body.put("hyperparameters", Map.of());

        // when
        Response created = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);
        Response stored = api.get("/api/v1/fine-tuning/jobs/" + created.json().path("id").asString(), tenant.adminKey());

        // then
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode hp = stored.json().path("hyperparameters");
        assertThat(hp).isEqualTo(settingsDefaults());
        assertThat(hp.path("n_epochs").asInt()).isEqualTo(TrainingSettings.DEFAULT_N_EPOCHS);
        assertThat(hp.path("learning_rate").asDouble()).isEqualTo(TrainingSettings.DEFAULT_LEARNING_RATE);
        assertThat(hp.path("lora_alpha").asInt()).isEqualTo(LoraSettings.DEFAULT_ALPHA);
        assertThat(hp.path("lora_dropout").asDouble()).isEqualTo(LoraSettings.DEFAULT_DROPOUT);
        assertThat(hp.path("adapter_kind").asString()).isEqualTo(BottleneckSettings.DEFAULT_KIND.wireName());
        assertThat(stored.json().path("method").asString()).isEqualTo("lora");
    }

    @Test
    void servesTheSharedDefaultsForEveryFieldTheDashboardShows() throws IOException {
        // given
        TestTenant tenant = newTenant("defaults-doc");
        Set<String> shown = dashboardFields();

        // when
        Response r = api.get("/api/v1/fine-tuning/hyperparameters", tenant.adminKey());

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json()).isEqualTo(settingsDefaults());
        assertThat(shown).isNotEmpty();
        assertThat(r.json().propertyNames()).containsExactlyInAnyOrderElementsOf(shown);
    }

    @Test
    void needsAnApiKeyForTheDefaults() {
        // when
        Response r = api.get("/api/v1/fine-tuning/hyperparameters", null);

        // then
        assertThat(r.status()).isEqualTo(401);
    }

    /** The {@code name:} of each entry of the dashboard's HYPERPARAMETERS, which must carry no default of its own. */
    static Set<String> dashboardFields() throws IOException {
        String js;
        try (InputStream in = JobDefaultsTest.class.getResourceAsStream("/static/assets/js/hyperparameters.js")) {
            assertThat(in).as("the web-ui jar's hyperparameters.js").isNotNull();
            js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(js).as("the dashboard takes its defaults from the API").doesNotContainPattern("\\bdefault\\s*:");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\{\\s*name:\\s*'([a-z_]+)'").matcher(js);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
