package dev.finetune.core.json;

import java.util.ArrayList;
import java.util.List;

import dev.finetune.core.hyperparameters.InvalidHyperparameterException;
import dev.finetune.settings.AdapterKind;
import dev.finetune.settings.DatasetFormat;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.InvalidSettingException;
import dev.finetune.settings.LrScheduler;
import dev.finetune.settings.TargetModules;
import dev.finetune.settings.WireNamed;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * The JSON form of the shared training settings, which carry no Jackson annotations of their own
 * (training-settings depends on nothing): the enums as their wire names ({@code "qlora"},
 * {@code "cosine"}), {@link TargetModules} as PEFT writes it ({@code "all-linear"} or a list of
 * names). Registered in {@link CoreJson}'s mapper (stored jobs) and, through
 * {@code CoreAutoConfiguration}, in Spring's (request and response bodies), so both read and write
 * exactly what the mirrored enums' {@code @JsonValue}/{@code @JsonCreator} did.
 */
public final class SettingsJson extends SimpleModule {

    public SettingsJson() {
        super("training-settings");
        wire(FineTuningMethod.class, FineTuningMethod::fromWire);
        wire(LrScheduler.class, LrScheduler::fromWire);
        wire(AdapterKind.class, AdapterKind::fromWire);
        wire(DatasetFormat.class, DatasetFormat::fromWire);
        addSerializer(TargetModules.class, new TargetModulesSerializer());
        addDeserializer(TargetModules.class, new TargetModulesDeserializer());
    }

    private <E extends Enum<E> & WireNamed> void wire(Class<E> type, java.util.function.Function<String, E> fromWire) {
        addSerializer(type, new ValueSerializer<E>() {
            @Override
            public void serialize(E value, JsonGenerator gen, SerializationContext ctxt) {
                gen.writeString(value.wireName());
            }
        });
        addDeserializer(type, new ValueDeserializer<E>() {
            @Override
            public E deserialize(JsonParser p, DeserializationContext ctxt) {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    return type.cast(ctxt.handleUnexpectedToken(type, p));
                }
                // an InvalidSettingException (an IllegalArgumentException naming the field) reaches the
                // caller wrapped with the JSON path, as a creator's refusal does
                return fromWire.apply(p.getString());
            }
        });
    }

    private static final class TargetModulesSerializer extends ValueSerializer<TargetModules> {
        @Override
        public void serialize(TargetModules value, JsonGenerator gen, SerializationContext ctxt) {
            if (value.allLinear()) {
                gen.writeString(TargetModules.ALL_LINEAR);
                return;
            }
            gen.writeStartArray();
            for (String name : value.names()) {
                gen.writeString(name);
            }
            gen.writeEndArray();
        }
    }

    private static final class TargetModulesDeserializer extends ValueDeserializer<TargetModules> {
        @Override
        public TargetModules deserialize(JsonParser p, DeserializationContext ctxt) {
            try {
                if (p.currentToken() == JsonToken.VALUE_STRING) {
                    return TargetModules.fromWord(p.getString());
                }
                if (p.currentToken() == JsonToken.START_ARRAY) {
                    List<String> names = new ArrayList<>();
                    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        if (t != JsonToken.VALUE_STRING) {
                            throw new InvalidSettingException("target_modules", "must contain only strings");
                        }
                        names.add(p.getString());
                    }
                    return new TargetModules(false, names);
                }
                throw new InvalidSettingException("target_modules", "must be \"all-linear\" or a list of names");
            } catch (InvalidSettingException e) {
                throw new InvalidHyperparameterException(e.field(), e.rule());
            }
        }
    }
}
