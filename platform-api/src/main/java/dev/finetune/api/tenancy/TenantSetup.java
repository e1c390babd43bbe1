package dev.finetune.api.tenancy;

import java.util.Optional;

import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.Tenant;
import dev.finetune.core.tenant.TenantRepository;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Creates a tenant together with its {@code default} segment, the one jobs go to unless told otherwise. */
@Component
public class TenantSetup {

    private final TenantRepository tenants;
    private final SegmentRepository segments;
    private final TransactionTemplate tx;

    TenantSetup(TenantRepository tenants, SegmentRepository segments, TransactionTemplate tx) {
        this.tenants = tenants;
        this.segments = segments;
        this.tx = tx;
    }

    /** A new tenant; throws {@link DataIntegrityViolationException} when the name is taken. */
    public Tenant create(String name) {
        return tx.execute(status -> {
            Tenant tenant = tenants.saveAndFlush(Tenant.create(name));
            segments.save(tenant.newSegment(SegmentName.DEFAULT));
            return tenant;
        });
    }

    /** The tenant of that name, created if missing (several replicas may start at once). */
    public Tenant ensure(String name) {
        Optional<Tenant> found = tenants.findByName(name);
        if (found.isPresent()) {
            return found.get();
        }
        try {
            return create(name);
        } catch (DataIntegrityViolationException raced) {
            return tenants.findByName(name).orElseThrow(() -> raced);
        }
    }
}
