package dev.finetune.core.json;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's JSON mapper (Jackson 3): snake_case, strict about unknown properties, the shared
 * training settings by their wire names ({@link SettingsJson}).
 */
public final class CoreJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new SettingsJson())
            .build();

    private CoreJson() {
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw unwrap(e);
        }
    }

    public static <T> T read(String json, TypeReference<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw unwrap(e);
        }
    }

    /**
     * An exception thrown inside a creator (fail-fast validation) is more useful than Jackson's
     * wrapper; anything else becomes an {@link InvalidJsonException} naming the JSON path.
     */
    private static RuntimeException unwrap(JacksonException e) {
        Throwable cause = e.getCause();
        while (cause != null) {
            if (cause instanceof InvalidJsonException named) {
                return named;
            }
            if (cause instanceof IllegalArgumentException iae) {
                return new InvalidJsonException(path(e), iae.getMessage(), iae);
            }
            cause = cause.getCause();
        }
        String field = path(e);
        String message = e.getOriginalMessage();
        return new InvalidJsonException(field, field == null ? message : field + ": " + message, e);
    }

    private static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
