package dev.finetune.api.observability;

import com.fasterxml.jackson.databind.JavaType;
import dev.finetune.settings.TargetModules;
import dev.finetune.settings.WireNamed;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.StringSchema;
import java.util.Iterator;
import java.util.List;
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
        if (raw == TargetModules.class) {
            // SettingsJson writes PEFT's form: the word "all-linear", or a list of module names
            context.defineModel("TargetModules", new Schema<>().description("\"all-linear\", or the module names to adapt")
                    .oneOf(List.of(new StringSchema()._enum(List.of(TargetModules.ALL_LINEAR)),
                            new ArraySchema().items(new StringSchema())))
                    .example(List.of("q_proj", "v_proj")));
            return new Schema<>().$ref("#/components/schemas/TargetModules");
        }
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
