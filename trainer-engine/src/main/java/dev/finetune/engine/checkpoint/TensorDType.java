package dev.finetune.engine.checkpoint;

import java.util.Optional;

/** Element types of the safetensors format, named as in its JSON header. */
public enum TensorDType {
    F64(8), F32(4), F16(2), BF16(2),
    F8_E4M3(1), F8_E5M2(1),
    I64(8), I32(4), I16(2), I8(1),
    U64(8), U32(4), U16(2), U8(1),
    BOOL(1);

    private final int bytes;

    TensorDType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The dtype string used in safetensors headers, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return name();
    }

    /** Whether {@link SafetensorsFile#read} can return this dtype as float (F32, F16, BF16). */
    public boolean isReadableAsFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The dtype for a safetensors header string, or empty when the string is not one. */
    public static Optional<TensorDType> fromSafetensors(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (TensorDType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
