package dev.finetune.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SafetensorsFile#readFloats(String, long, int, ByteBuffer)}: any slice, any dtype, same bits as a whole read. */
class SafetensorsStreamingTest {

    @TempDir
    Path dir;

    @Test
    void f16ConversionOfTheTestWriterRoundTripsEveryFiniteHalf() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.f16ToFloat((short) bits);
            if (Float.isFinite(f)) {
                assertThat(HalfCheckpoints.toF16(f) & 0xFFFF).as("half %04x", bits).isEqualTo(bits);
            }
            if ((bits & 0x7F80) != 0x7F80) {
                assertThat(HalfCheckpoints.toBf16(HalfFloats.bf16ToFloat((short) bits)) & 0xFFFF).isEqualTo(bits);
            }
        }
        // ties go to even
        assertThat(HalfCheckpoints.toBf16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80);
        assertThat(HalfCheckpoints.toBf16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82);
    }

    @Test
    void slicesEqualTheWholeReadInEveryDtypeAndByteOrder() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("a", new long[] {37, 129});
        shapes.put("b", new long[] {1000});
        shapes.put("c", new long[] {3, 700_000});
        for (TensorDType dt : new TensorDType[] {TensorDType.F32, TensorDType.F16, TensorDType.BF16}) {
            Path d = dir.resolve(dt.name());
            HalfCheckpoints.write(d, "{}", shapes, dt, 1, HalfCheckpoints.random(7));
            try (SafetensorsFile f = SafetensorsFile.open(d.resolve(HfCheckpoint.SINGLE))) {
                for (String name : shapes.keySet()) {
                    float[] whole = f.readFloats(name);
                    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                        for (boolean direct : new boolean[] {true, false}) {
                            float[] streamed = new float[whole.length];
                            int step = 100_003;
                            for (int first = 0; first < whole.length; first += step) {
                                int n = Math.min(step, whole.length - first);
                                ByteBuffer buf = (direct ? ByteBuffer.allocateDirect(4 * n + 8) : ByteBuffer.allocate(4 * n + 8))
                                        .order(order);
                                buf.position(4);
                                f.readFloats(name, first, n, buf);
                                assertThat(buf.position()).isEqualTo(4 + 4 * n);
                                buf.position(4);
                                buf.asFloatBuffer().get(streamed, first, n);
                            }
                            assertThat(Arrays.equals(streamed, whole)).as("%s %s %s direct=%s", dt, name, order, direct).isTrue();
                        }
                    }
                }
                assertThatThrownBy(() -> f.readFloats("b", 990, 11, ByteBuffer.allocate(44)))
                        .isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> f.readFloats("b", 0, 11, ByteBuffer.allocate(40)))
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }
}
