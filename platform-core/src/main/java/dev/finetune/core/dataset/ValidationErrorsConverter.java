package dev.finetune.core.dataset;

import java.util.List;

import dev.finetune.core.json.CoreJson;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import tools.jackson.core.type.TypeReference;

@Converter
public class ValidationErrorsConverter implements AttributeConverter<List<ValidationError>, String> {

    private static final TypeReference<List<ValidationError>> TYPE = new TypeReference<>() {
    };

    @Override
    public String convertToDatabaseColumn(List<ValidationError> attribute) {
        return CoreJson.write(attribute == null ? List.of() : attribute);
    }

    @Override
    public List<ValidationError> convertToEntityAttribute(String dbData) {
        return dbData == null ? List.of() : List.copyOf(CoreJson.read(dbData, TYPE));
    }
}
