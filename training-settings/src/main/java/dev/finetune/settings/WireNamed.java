package dev.finetune.settings;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A choice whose external form (JSON, a database column, a CLI flag value) is one lower-case word,
 * {@code qlora} or {@code cosine}. Each settings enum defines its words here, once; the platform's
 * JSON and persistence and the CLI all read and write them through {@link #fromWire}.
 */
public interface WireNamed {

    String wireName();

    /**
     * The constant whose wire name is {@code wire}, or an {@link InvalidSettingException} naming
     * {@code field} and the allowed words.
     */
    static <E extends Enum<E> & WireNamed> E fromWire(Class<E> type, String wire, String field) {
        for (E constant : type.getEnumConstants()) {
            if (constant.wireName().equals(wire)) {
                return constant;
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(WireNamed::wireName)
                .collect(Collectors.joining(", "));
        throw new InvalidSettingException(field, wire == null ? "must be one of [" + allowed + "]"
                : "must be one of [" + allowed + "] but was '" + wire + "'");
    }
}
