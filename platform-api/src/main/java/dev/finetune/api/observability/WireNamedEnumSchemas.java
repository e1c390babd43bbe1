package dev.finetune.api.observability;

import com.fasterxml.jackson.databind.JavaType;
import dev.finetune.settings.WireNamed;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import java.util.Iterator;
import org.springframework.stereotype.Component;

/**
 * Documents the training settings' enums (method, LR schedule, adapter kind, dataset format) by the
 * wire names the API reads and writes ({@code qlora}, {@code cosine}), not by their Java constant
 * names: the settings module is plain Java without Jackson annotations, so swagger-core cannot see how
 * the platform's JSON spells them. springdoc picks up every {@link ModelConverter} bean.
 */
@Component
class WireNamedEnumSchemas implements ModelConverter {

    @Override
    public Schema<?> resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
        JavaType javaType = Json.mapper().constructType(type.getType());
        Class<?> raw = javaType == null ? null : javaType.getRawClass();
        if (raw != null && raw.isEnum() && WireNamed.class.isAssignableFrom(raw)) {
            StringSchema schema = new StringSchema();
            for (Object constant : raw.getEnumConstants()) {
                schema.addEnumItem(((WireNamed) constant).wireName());
            }
            return schema;
        }
        return chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
    }
}
