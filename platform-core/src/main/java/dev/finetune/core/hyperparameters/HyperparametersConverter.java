package dev.finetune.core.hyperparameters;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores {@link Hyperparameters} as snake_case JSON in a jsonb column. */
@Converter
public class HyperparametersConverter implements AttributeConverter<Hyperparameters, String> {

    @Override
    public String convertToDatabaseColumn(Hyperparameters attribute) {
        return attribute == null ? null : attribute.toJson();
    }

    @Override
    public Hyperparameters convertToEntityAttribute(String dbData) {
        return dbData == null ? null : Hyperparameters.fromJson(dbData);
    }
}
