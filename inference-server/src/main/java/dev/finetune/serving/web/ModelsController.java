package dev.finetune.serving.web;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.finetune.core.security.Caller;
import dev.finetune.serving.runtime.MergedPool;
import dev.finetune.serving.runtime.ModelResolver;
import dev.finetune.serving.runtime.ServedTarget;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/models}: what the caller's tenant can call here, in OpenAI's list shape: the served
 * base models it can see, {@code segment@alias} for each alias and {@code segment/N} for each
 * version of its segments. Beside OpenAI's {@code id, object, created, owned_by} each entry says its
 * {@code base_model} and, for adapters, the {@code version} it is now. {@code GET /v1/models/{model}}
 * retrieves one: a name such as {@code support/3} keeps its slash, literal or encoded as
 * {@code support%2F3} ({@link EncodedSlashes}); a job checkpoint {@code <job id>:step-<n>} is
 * retrieved too, its {@code version} that checkpoint name. A merged pool lists and retrieves only
 * what it answers ({@link MergedPool#list}).
 */
@RestController
public class ModelsController {

    private final ModelResolver resolver;
    private final MergedPool merged;

    public ModelsController(ModelResolver resolver, ObjectProvider<MergedPool> merged) {
        this.resolver = resolver;
        this.merged = merged.getIfAvailable();
    }

    @GetMapping("/v1/models")
    public Map<String, Object> list(HttpServletRequest request) {
        Caller caller = CompletionsController.caller(request);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("data", (merged != null ? merged.list(caller.tenant()) : resolver.list(caller.tenant())).stream()
                .map(ModelsController::model).toList());
        return body;
    }

    @GetMapping("/v1/models/{*model}")
    public Map<String, Object> retrieve(@PathVariable String model, HttpServletRequest request) {
        Caller caller = CompletionsController.caller(request);
        String name = model.startsWith("/") ? model.substring(1) : model;
        if (merged != null) {
            return model(merged.describe(caller.tenant(), name));
        }
        ServedTarget target = resolver.resolve(caller.tenant(), name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", name);
        m.put("object", "model");
        m.put("created", target.createdAt().getEpochSecond());
        m.put("owned_by", target.ownedBy());
        m.put("base_model", target.base().name());
        m.put("version", target.adapterRef());
        return m;
    }

    private static Map<String, Object> model(ModelResolver.Listed l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", l.id());
        m.put("object", "model");
        m.put("created", l.created() == null ? 0 : l.created().getEpochSecond());
        m.put("owned_by", l.ownedBy());
        m.put("base_model", l.baseModel());
        m.put("version", l.version());
        return m;
    }
}
