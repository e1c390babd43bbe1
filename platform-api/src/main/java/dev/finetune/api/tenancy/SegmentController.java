package dev.finetune.api.tenancy;

import java.net.URI;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.api.ListPage;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.security.Caller;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.Tenant;
import dev.finetune.core.tenant.TenantRepository;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's segments (teams, projects) that jobs and adapters are filed under. */
@RestController
@RequestMapping("/api/v1/segments")
class SegmentController {

    private final SegmentRepository segments;
    private final TenantRepository tenants;

    SegmentController(SegmentRepository segments, TenantRepository tenants) {
        this.segments = segments;
        this.tenants = tenants;
    }

    record CreateSegment(@NotNull @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}",
            message = "must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit") String name) {
    }

    record SegmentView(String id, String name, @JsonProperty("created_at") Instant createdAt) {
        static SegmentView of(Segment s) {
            return new SegmentView(s.id().toString(), s.name().value(), s.createdAt());
        }
    }

    @GetMapping
    ListPage<SegmentView> list(@AuthenticationPrincipal Caller caller) {
        caller.require(ApiKeyScope.READ);
        return ListPage.of(segments.list(caller.tenant()).stream().map(SegmentView::of).toList());
    }

    @PostMapping
    ResponseEntity<SegmentView> create(@AuthenticationPrincipal Caller caller, @Valid @RequestBody CreateSegment body) {
        caller.require(ApiKeyScope.ADMIN);
        SegmentName name = new SegmentName(body.name());
        if (segments.find(caller.tenant(), name).isPresent()) {
            throw new PlatformProblem(ProblemKind.CONFLICT, "segment '" + name + "' already exists").with("param", "name");
        }
        Tenant tenant = tenants.find(caller.tenant()).orElseThrow();
        Segment saved = segments.save(tenant.newSegment(name));
        return ResponseEntity.created(URI.create("/api/v1/segments/" + saved.id())).body(SegmentView.of(saved));
    }
}
