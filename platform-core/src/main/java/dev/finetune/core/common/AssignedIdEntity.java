package dev.finetune.core.common;

import java.util.UUID;

import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import org.springframework.data.domain.Persistable;

/**
 * Base for entities whose UUID is chosen by the application. Spring Data would otherwise treat
 * every entity with a non-null id as existing and issue a SELECT + merge instead of an INSERT.
 */
@MappedSuperclass
public abstract class AssignedIdEntity implements Persistable<UUID> {

    @Id
    private UUID id;

    @Transient
    private boolean isNew;

    protected AssignedIdEntity() {
        // for JPA
    }

    protected AssignedIdEntity(UUID id) {
        this.id = Checks.notNull(id, "id");
        this.isNew = true;
    }

    @Override
    public UUID getId() {
        return id;
    }

    @Override
    public boolean isNew() {
        return isNew;
    }

    @PostLoad
    @PostPersist
    void markNotNew() {
        this.isNew = false;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (other == null || other.getClass() != getClass()) {
            return false;
        }
        return id != null && id.equals(((AssignedIdEntity) other).id);
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }
}
