package dev.finetune.core.common;

import dev.finetune.settings.WireNamed;
import jakarta.persistence.AttributeConverter;

/** Stores a {@link WireNamed} enum as its lower-case wire name, matching the CHECK constraints in the schema. */
public abstract class WireEnumConverter<E extends Enum<E> & WireNamed> implements AttributeConverter<E, String> {

    private final Class<E> type;

    protected WireEnumConverter(Class<E> type) {
        this.type = type;
    }

    @Override
    public String convertToDatabaseColumn(E attribute) {
        return attribute == null ? null : attribute.wireName();
    }

    @Override
    public E convertToEntityAttribute(String dbData) {
        return dbData == null ? null : WireNamed.fromWire(type, dbData, type.getSimpleName());
    }
}
