package dev.finetune.core.model;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.tenant.TenantId;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

/** Base models as a tenant sees them: its own plus the global ones. */
public interface BaseModelRepository extends Repository<BaseModel, UUID> {

    BaseModel save(BaseModel model);

    @Query("select m from BaseModel m where m.tenantId = :tenant or m.tenantId is null order by m.name, m.tenantId nulls last")
    List<BaseModel> findVisibleTo(@Param("tenant") UUID tenant);

    @Query("select m from BaseModel m where m.name = :name and (m.tenantId = :tenant or m.tenantId is null) order by m.tenantId nulls last")
    List<BaseModel> findVisibleByName(@Param("tenant") UUID tenant, @Param("name") String name);

    @Query("select m from BaseModel m where m.id = :id and (m.tenantId = :tenant or m.tenantId is null)")
    Optional<BaseModel> findVisibleById(@Param("tenant") UUID tenant, @Param("id") UUID id);

    default List<BaseModel> listVisibleTo(TenantId tenant) {
        return findVisibleTo(tenant.value());
    }

    /** The tenant's own model of that name if it has one, else the global one. */
    default Optional<BaseModel> findVisible(TenantId tenant, String name) {
        return findVisibleByName(tenant.value(), name).stream().findFirst();
    }

    default Optional<BaseModel> findVisible(TenantId tenant, BaseModelId id) {
        return findVisibleById(tenant.value(), id.value());
    }
}
