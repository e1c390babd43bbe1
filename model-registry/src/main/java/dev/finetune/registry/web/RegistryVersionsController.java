package dev.finetune.registry.web;

import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.security.Caller;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.AdapterVersion;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** What can be done to one version: tags, archive, delete (its files: {@link RegistryFilesController}). */
@RestController
@RequestMapping("/api/v1/registry/repositories/{segment}/versions/{number}")
class RegistryVersionsController {

    private final AdapterRegistry registry;

    RegistryVersionsController(AdapterRegistry registry) {
        this.registry = registry;
    }

    @PutMapping("/tags/{key}")
    AdapterVersion tag(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number,
            @PathVariable String key, @RequestBody TagRequest body) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        Requests.text(key, "key");
        Requests.text(body.value(), "value");
        return Requests.valid(() -> registry.tag(submitter.tenant(), Requests.segment(segment), number, key,
                body.value()));
    }

    @DeleteMapping("/tags/{key}")
    AdapterVersion untag(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number,
            @PathVariable String key) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        return registry.untag(submitter.tenant(), Requests.segment(segment), number, key);
    }

    @PostMapping("/archive")
    AdapterVersion archive(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        return registry.archive(submitter.tenant(), Requests.segment(segment), number, Requests.actor(submitter));
    }

    @PostMapping("/unarchive")
    AdapterVersion unarchive(@AuthenticationPrincipal Caller caller, @PathVariable String segment, @PathVariable int number) {
        Caller submitter = Requests.require(caller, ApiKeyScope.SUBMIT);
        return registry.unarchive(submitter.tenant(), Requests.segment(segment), number, Requests.actor(submitter));
    }

    /** Deletes the version and its files (admin); 409 while an alias points at it. */
    @DeleteMapping
    ResponseEntity<Void> delete(@AuthenticationPrincipal Caller caller, @PathVariable String segment,
            @PathVariable int number) {
        Caller admin = Requests.require(caller, ApiKeyScope.ADMIN);
        registry.delete(admin.tenant(), Requests.segment(segment), number, Requests.actor(admin));
        return ResponseEntity.noContent().build();
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record TagRequest(String value) {
    }
}
