package dev.finetune.core.common;

import java.util.Arrays;
import java.util.stream.Collectors;

import dev.finetune.settings.WireNamed;

/**
 * An enum whose external form (database column, JSON) is a lower-case word such as
 * {@code validating_files}. Constants are named in upper case; {@link #wireName()} is derived.
 * The training settings' enums ({@code FineTuningMethod}, ...) define their words themselves as
 * {@link WireNamed}; both kinds are stored by {@link WireEnumConverter}.
 */
public interface WireEnum extends WireNamed {

    String name();

    @Override
    default String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static <E extends Enum<E> & WireEnum> E fromWire(Class<E> type, String wire, String field) {
        Checks.notNull(wire, field);
        for (E constant : type.getEnumConstants()) {
            if (constant.wireName().equals(wire)) {
                return constant;
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(WireEnum::wireName)
                .collect(Collectors.joining(", "));
        throw new IllegalArgumentException(field + " must be one of [" + allowed + "] but was '" + wire + "'");
    }
}
