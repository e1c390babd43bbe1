package dev.finetune.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path tmp;

    @Test
    void widensBf16BitPatternsToFloat() throws IOException {
        // 1.0, -2.0, 0.5, +inf, -inf, smallest bf16 subnormal, -0.0, 3.140625
        byte[] data = TestFiles.shorts(0x3F80, 0xC000, 0x3F00, 0x7F80, 0xFF80, 0x0001, 0x8000, 0x4049);
        Path f = TestFiles.raw(tmp.resolve("bf16.safetensors"),
                "{\"x\":{\"dtype\":\"BF16\",\"shape\":[2,4],\"data_offsets\":[0,16]}}", data);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            HostTensor t = sf.read("x");
            assertThat(t.shape()).containsExactly(2, 4);
            assertThat(t.data()).containsExactly(1.0f, -2.0f, 0.5f, Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x00010000), -0.0f, 3.140625f);
        }
    }

    @Test
    void widensF16BitPatternsIncludingSubnormalsToFloat() throws IOException {
        // 1.0, -2.0, 65504 (max), smallest subnormal 2^-24, largest subnormal, smallest normal 2^-14,
        // +inf, -inf, -0.0, 0.333251953125 (0x3555), NaN
        byte[] data = TestFiles.shorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x7C00, 0xFC00,
                0x8000, 0x3555, 0x7E00);
        Path f = TestFiles.raw(tmp.resolve("f16.safetensors"),
                "{\"x\":{\"dtype\":\"F16\",\"shape\":[11],\"data_offsets\":[0,22]}}", data);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            float[] v = sf.readFloats("x");
            assertThat(Arrays.copyOf(v, 10)).containsExactly(1.0f, -2.0f, 65504f, 0x1p-24f, 1023 * 0x1p-24f,
                    0x1p-14f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, 0.333251953125f);
            assertThat(v[10]).isNaN();
        }
    }

    @Test
    void widensEveryF16PatternLikeTheIeeeDefinition() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int exp = (bits >> 10) & 0x1F;
            int mant = bits & 0x3FF;
            double sign = (bits & 0x8000) != 0 ? -1 : 1;
            float got = HalfFloats.f16ToFloat((short) bits);
            if (exp == 0x1F) {
                assertThat(mant == 0 ? Float.isInfinite(got) : Float.isNaN(got)).as("bits %04x", bits).isTrue();
            } else {
                double want = exp == 0 ? sign * mant * Math.pow(2, -24)
                        : sign * (1 + mant / 1024.0) * Math.pow(2, exp - 15);
                assertThat((double) got).as("bits %04x", bits).isEqualTo(want);
            }
        }
    }

    @Test
    void readsTensorsAtTheirOffsetsAndKeepsHeaderOrderAndMetadata() throws IOException {
        byte[] data = TestFiles.floats(9f, 1f, 2f, 3f);
        Path f = TestFiles.raw(tmp.resolve("order.safetensors"),
                "{\"__metadata__\":{\"format\":\"pt\"},"
                        + "\"zeta\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[4,16]},"
                        + "\"alpha\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}   ", data);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertThat(sf.names()).containsExactly("zeta", "alpha");
            assertThat(sf.metadata()).containsExactly(java.util.Map.entry("format", "pt"));
            assertThat(sf.readFloats("zeta")).containsExactly(1f, 2f, 3f);
            assertThat(sf.read("alpha").numel()).isEqualTo(1);
            assertThat(sf.read("alpha").get(0)).isEqualTo(9f);
            assertThat(sf.info("zeta")).isEqualTo(new TensorInfo("zeta", TensorDType.F32, new long[] {3}, 4, 16));
        }
    }

    @Test
    void readsTensorsLargerThanOneReadChunk() {
        float[] big = new float[3_000_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f;
        }
        Path f = tmp.resolve("big.safetensors");
        SafetensorsWriter.write(f, java.util.Map.of("big", HostTensor.of(new long[] {big.length}, big)), null);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertThat(sf.readFloats("big")).isEqualTo(big);
        }
    }

    @Test
    void parsesHeadersWithNonFloatDtypesButRefusesToReadThemAsFloat() throws IOException {
        Path f = TestFiles.raw(tmp.resolve("ints.safetensors"),
                "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                        + "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[16,18]}}", new byte[18]);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertThat(sf.info("ids").dtype()).isEqualTo(TensorDType.I64);
            assertThatThrownBy(() -> sf.read("ids")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("ints.safetensors").hasMessageContaining("'ids' has dtype I64");
        }
    }

    @Test
    void rejectsTruncatedFile() throws IOException {
        Path src = TestFiles.tinystories().resolve("model.safetensors");
        Path cut = tmp.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(src);
        Files.write(cut, Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> SafetensorsFile.open(cut)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("tensor 'model.norm.weight' ends at byte 2624000")
                .hasMessageContaining("file truncated?");
    }

    @Test
    void rejectsHeaderLengthLargerThanFile() throws IOException {
        Path f = tmp.resolve("short.safetensors");
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putLong(5000);
        Files.write(f, b.array());
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("short.safetensors").hasMessageContaining("header length 5000 is larger");
    }

    @Test
    void rejectsInsaneHeaderLengthAndTinyFiles() throws IOException {
        Path f = tmp.resolve("huge.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("huge.safetensors").hasMessageContaining("not sane");
        Path g = tmp.resolve("tiny.safetensors");
        Files.write(g, new byte[3]);
        assertThatThrownBy(() -> SafetensorsFile.open(g)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tiny.safetensors").hasMessageContaining("too short");
    }

    @Test
    void rejectsGarbageJsonHeader() throws IOException {
        Path f = TestFiles.raw(tmp.resolve("garbage.safetensors"), "{\"x\": [1, 2,, oops", new byte[8]);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("garbage.safetensors").hasMessageContaining("header is not valid JSON");
    }

    @Test
    void rejectsByteRangeThatDoesNotMatchShape() throws IOException {
        Path f = TestFiles.raw(tmp.resolve("size.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("size.safetensors").hasMessageContaining("tensor 'x'")
                .hasMessageContaining("has 8 bytes but F32 shape [3] needs 12");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        Path f = TestFiles.raw(tmp.resolve("overlap.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("overlap.safetensors").hasMessageContaining("'a'")
                .hasMessageContaining("'b'").hasMessageContaining("overlap");
    }

    @Test
    void rejectsUnknownDtypeAndMissingFile() throws IOException {
        Path f = TestFiles.raw(tmp.resolve("dtype.safetensors"),
                "{\"x\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,1]}}", new byte[1]);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("dtype.safetensors").hasMessageContaining("unknown or missing dtype \"Q4\"");
        Path missing = tmp.resolve("nope.safetensors");
        assertThatThrownBy(() -> SafetensorsFile.open(missing)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("nope.safetensors").hasMessageContaining("does not exist");
    }

    @Test
    void namesFileAndTensorWhenTensorIsAbsentOrFileClosed() {
        SafetensorsFile sf = SafetensorsFile.open(TestFiles.stories260k().resolve("model.safetensors"));
        assertThatThrownBy(() -> sf.read("no.such")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors").hasMessageContaining("no tensor 'no.such'");
        sf.close();
        assertThatThrownBy(() -> sf.read("model.norm.weight")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("closed");
    }
}
