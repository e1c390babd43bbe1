package dev.finetune.standalone;

import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers what a first-time user needs to try the platform, once: the bundled
 * {@code tinystories-656k} checkpoint as a global base model, and the LLaMA-Factory identity set
 * (91 Alpaca records) as a dataset of tenant {@code default}, uploaded through the public API
 * so it is validated like any other upload.
 */
final class DemoContent {

    static final String MODEL = "tinystories-656k";
    static final String DATASET = "identity-demo";
    private static final Logger log = LoggerFactory.getLogger(DemoContent.class);
    private static final List<String> MODEL_FILES = List.of("config.json", "generation_config.json", "model.safetensors",
            "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private DemoContent() {}

    static void install(ApplicationContext api, LocalSettings settings, String operatorKey) {
        installModel(api.getBean(ArtifactStore.class), api.getBean(BaseModelRepository.class));
        installDataset(settings, operatorKey);
    }

    private static void installModel(ArtifactStore store, BaseModelRepository models) {
        // a tenant id that belongs to nobody sees exactly the global models
        boolean present = models.listVisibleTo(dev.finetune.core.tenant.TenantId.random()).stream()
                .anyMatch(m -> m.isGlobal() && m.name().equals(MODEL));
        if (present) {
            return;
        }
        String prefix = ObjectKeys.globalBaseModelPrefix(MODEL);
        for (String file : MODEL_FILES) {
            byte[] bytes = resource("demo/models/" + MODEL + "/" + file);
            store.put(prefix + file, new java.io.ByteArrayInputStream(bytes), bytes.length, "application/octet-stream");
        }
        JsonNode config = JSON.readTree(resource("demo/models/" + MODEL + "/config.json"));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model_type", config.path("model_type").asString());
        for (String key : List.of("hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
                "intermediate_size", "vocab_size", "max_position_embeddings")) {
            summary.put(key, config.path(key).asInt());
        }
        summary.put("tie_word_embeddings", config.path("tie_word_embeddings").asBoolean());
        models.save(BaseModel.global(MODEL, prefix, summary));
        log.info("Registered the demo base model '{}' at {}", MODEL, prefix);
    }

    private static void installDataset(LocalSettings settings, String operatorKey) {
        String base = "http://127.0.0.1:" + settings.apiPort() + "/api/v1/datasets";
        HttpClient http = HttpClient.newHttpClient();
        try {
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(base + "?limit=100"))
                    .header("Authorization", "Bearer " + operatorKey).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (list.statusCode() != 200) {
                log.warn("Could not list datasets to install the demo dataset: HTTP {}", list.statusCode());
                return;
            }
            for (JsonNode d : JSON.readTree(list.body()).path("data")) {
                if (DATASET.equals(d.path("name").asString())) {
                    return;
                }
            }
            byte[] body = resource("demo/datasets/llamafactory_identity.json");
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "?name=" + DATASET + "&format=instruction"))
                    .header("Authorization", "Bearer " + operatorKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() / 100 != 2) {
                log.warn("The demo dataset was refused: HTTP {} {}", created.statusCode(), created.body());
            } else {
                log.info("Uploaded the demo dataset '{}'", DATASET);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the demo dataset", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] resource(String path) {
        try (InputStream in = DemoContent.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the standalone jar lacks " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
