package dev.finetune.api.basemodel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.api.ListPage;
import dev.finetune.api.input.PlainText;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectInfo;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.TenantId;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/**
 * The base-model catalog: the global models plus the tenant's own. Register a checkpoint by
 * uploading its Hugging Face files (multipart, any part names, the file names count) or by
 * pointing at a prefix that already holds them; either way the files are checked first.
 */
@RestController
@RequestMapping("/api/v1/base-models")
class BaseModelController {

    private static final String GLOBAL_PREFIX = "base-models/";

    private final BaseModelRepository models;
    private final ArtifactStore store;

    BaseModelController(BaseModelRepository models, ArtifactStore store) {
        this.models = models;
        this.store = store;
    }

    /** Register files already in the bucket; {@code global} (operator only) makes the model everyone's. */
    record RegisterPrefix(@NotBlank @Size(max = 128) @PlainText String name,
            @NotBlank @Size(max = 512) @PlainText @JsonProperty("object_prefix") @JsonAlias("objectPrefix") String objectPrefix,
            Boolean global) {
    }

    @GetMapping
    ListPage<BaseModelView> list(@AuthenticationPrincipal Caller caller) {
        caller.require(ApiKeyScope.READ);
        return ListPage.of(models.listVisibleTo(caller.tenant()).stream().map(BaseModelView::of).toList());
    }

    @GetMapping("/{modelId}")
    BaseModelView get(@AuthenticationPrincipal Caller caller, @PathVariable UUID modelId) {
        caller.require(ApiKeyScope.READ);
        return models.findVisible(caller.tenant(), new BaseModelId(modelId)).map(BaseModelView::of)
                .orElseThrow(() -> PlatformProblem.notFound("base model", modelId));
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<BaseModelView> registerPrefix(@AuthenticationPrincipal Caller caller,
            @Valid @RequestBody RegisterPrefix body) {
        caller.require(ApiKeyScope.ADMIN);
        boolean global = Boolean.TRUE.equals(body.global());
        requireOperatorFor(global, caller);
        String prefix = body.objectPrefix().endsWith("/") ? body.objectPrefix() : body.objectPrefix() + "/";
        String own = ObjectKeys.tenantPrefix(caller.tenant());
        if (prefix.contains("..") || !(prefix.startsWith(own) || prefix.startsWith(GLOBAL_PREFIX))) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "object_prefix must lie under " + own + " or "
                    + GLOBAL_PREFIX).with("param", "object_prefix");
        }
        requireFreeName(caller.tenant(), body.name(), global);
        Map<String, Long> files = store.list(prefix).stream()
                .collect(Collectors.toMap(o -> o.key().substring(prefix.length()), ObjectInfo::size, (a, b) -> a));
        Map<String, Object> summary = CheckpointFiles.validate(files.keySet(), name -> readObject(prefix + name));
        return created(save(caller.tenant(), body.name(), prefix, summary, global));
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<BaseModelView> upload(@AuthenticationPrincipal Caller caller, @RequestParam String name,
            @RequestParam(defaultValue = "false") boolean global, HttpServletRequest request) {
        caller.require(ApiKeyScope.ADMIN);
        requireOperatorFor(global, caller);
        String prefix;
        try {
            prefix = global ? ObjectKeys.globalBaseModelPrefix(name) : ObjectKeys.tenantBaseModelPrefix(caller.tenant(), name);
        } catch (IllegalArgumentException e) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "name must be 1-128 letters, digits, '.', '_' or '-'")
                    .with("param", "name");
        }
        requireFreeName(caller.tenant(), name, global);
        Map<String, MultipartFile> files = new HashMap<>();
        if (request instanceof MultipartHttpServletRequest multipart) {
            multipart.getMultiFileMap().values().stream().flatMap(List::stream)
                    .forEach(f -> files.put(fileName(f), f));
        }
        Map<String, Object> summary = CheckpointFiles.validate(files.keySet(), n -> readPart(files.get(n)));
        for (Map.Entry<String, MultipartFile> file : files.entrySet()) {
            String key = prefix + file.getKey();
            try (InputStream in = file.getValue().getInputStream()) {
                store.put(key, in, file.getValue().getSize(), MediaType.APPLICATION_OCTET_STREAM_VALUE);
            } catch (IOException e) {
                throw new PlatformProblem(ProblemKind.MALFORMED_REQUEST, "the upload of " + file.getKey() + " broke off");
            }
        }
        return created(save(caller.tenant(), name, prefix, summary, global));
    }

    private BaseModel save(TenantId tenant, String name, String prefix, Map<String, Object> summary, boolean global) {
        return models.save(global ? BaseModel.global(name, prefix, summary) : BaseModel.ofTenant(tenant, name, prefix, summary));
    }

    private void requireFreeName(TenantId tenant, String name, boolean global) {
        Optional<BaseModel> clash = models.findVisibleByName(tenant.value(), name).stream()
                .filter(m -> m.isGlobal() == global).findFirst();
        if (clash.isPresent()) {
            throw new PlatformProblem(ProblemKind.CONFLICT, "a base model named '" + name + "' already exists")
                    .with("param", "name");
        }
    }

    private static void requireOperatorFor(boolean global, Caller caller) {
        if (global && !caller.operator()) {
            throw new PlatformProblem(ProblemKind.FORBIDDEN_SCOPE, "only the operator key may register global base models")
                    .with("requiredScope", "operator");
        }
    }

    private static String fileName(MultipartFile f) {
        String original = f.getOriginalFilename() == null || f.getOriginalFilename().isBlank() ? f.getName() : f.getOriginalFilename();
        String base = original.substring(original.lastIndexOf('/') + 1);
        if (!base.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,254}")) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "file name '" + base + "' is not allowed").with("param", "file");
        }
        return base;
    }

    private byte[] readObject(String key) {
        try (InputStream in = store.get(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readPart(MultipartFile file) {
        try {
            return file.getBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ResponseEntity<BaseModelView> created(BaseModel model) {
        return ResponseEntity.created(URI.create("/api/v1/base-models/" + model.id())).body(BaseModelView.of(model));
    }
}
