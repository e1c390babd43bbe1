package dev.finetune.api.observability;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JavaType;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.Schema;
import org.springframework.stereotype.Component;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Documents the records that name their JSON fields with Jackson 3's
 * {@code @JsonNaming(SnakeCaseStrategy)} (the registry's versions, aliases, pages) by those snake_case
 * names: swagger-core introspects with Jackson 2, which cannot see that annotation, so without this
 * the document listed {@code createdAt} where the server writes {@code created_at} and generated
 * clients read nothing. An explicit {@code @JsonProperty} keeps its name.
 */
@Component
class SnakeCaseSchemas implements ModelConverter {

    @Override
    public Schema<?> resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
        Schema<?> resolved = chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
        JavaType javaType = Json.mapper().constructType(type.getType());
        Class<?> raw = javaType == null ? null : javaType.getRawClass();
        JsonNaming naming = raw == null ? null : raw.getAnnotation(JsonNaming.class);
        if (resolved == null || naming == null || naming.value() != PropertyNamingStrategies.SnakeCaseStrategy.class) {
            return resolved;
        }
        Schema<?> model = resolved;
        if (resolved.get$ref() != null) {
            String name = resolved.get$ref().substring(resolved.get$ref().lastIndexOf('/') + 1);
            model = context.getDefinedModels().get(name);
        }
        if (model != null) {
            snakeCase(model);
        }
        return resolved;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void snakeCase(Schema<?> model) {
        if (model.getProperties() == null) {
            return;
        }
        Map<String, Schema> renamed = new LinkedHashMap<>();
        model.getProperties().forEach((name, schema) -> renamed.put(snake(name), schema));
        model.setProperties(renamed);
        if (model.getRequired() != null) {
            List<String> required = new ArrayList<>();
            model.getRequired().forEach(r -> required.add(snake(r)));
            model.setRequired(required);
        }
    }

    static String snake(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
