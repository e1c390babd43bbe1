package dev.finetune.core.json;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import tools.jackson.core.type.TypeReference;

/** A free-form JSON object ({@code metadata}, {@code config_summary}, event data) in a jsonb column. */
@Converter
public class JsonMapConverter implements AttributeConverter<Map<String, Object>, String> {

    private static final TypeReference<LinkedHashMap<String, Object>> TYPE = new TypeReference<>() {
    };

    @Override
    public String convertToDatabaseColumn(Map<String, Object> attribute) {
        return attribute == null ? null : CoreJson.write(attribute);
    }

    @Override
    public Map<String, Object> convertToEntityAttribute(String dbData) {
        return dbData == null ? null : CoreJson.read(dbData, TYPE);
    }
}
