package dev.finetune.core.tenant;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

public interface TenantRepository extends JpaRepository<Tenant, UUID> {

    Optional<Tenant> findByName(String name);

    default Optional<Tenant> find(TenantId id) {
        return findById(id.value());
    }
}
