package dev.finetune.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path tmp;

    private static Map<String, HostTensor> sample() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("w", HostTensor.of(new long[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}));
        m.put("b", HostTensor.of(new long[] {3}, new float[] {7, 8, 9}));
        m.put("empty", HostTensor.of(new long[] {0, 4}, new float[0]));
        m.put("scalar", HostTensor.of(new long[] {}, new float[] {42}));
        return m;
    }

    @Test
    void roundTripsTensorsInNameOrderAndMetadata() {
        Path f = tmp.resolve("out.safetensors");
        SafetensorsWriter.write(f, sample(), Map.of("format", "pt", "note", "hi"));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertThat(sf.names()).containsExactly("b", "empty", "scalar", "w");
            assertThat(sf.metadata()).containsOnly(Map.entry("format", "pt"), Map.entry("note", "hi"));
            for (Map.Entry<String, HostTensor> e : sample().entrySet()) {
                assertThat(sf.read(e.getKey())).isEqualTo(e.getValue());
                assertThat(sf.info(e.getKey()).dtype()).isEqualTo(TensorDType.F32);
            }
        }
    }

    @Test
    void writesTheSameBytesWhateverOrderTheTensorsAndMetadataComeIn() throws IOException {
        // given the same tensors and metadata in two different orders
        Map<String, HostTensor> forward = sample();
        Map<String, HostTensor> backward = new java.util.LinkedHashMap<>();
        java.util.List<String> names = new java.util.ArrayList<>(forward.keySet());
        java.util.Collections.reverse(names);
        names.forEach(n -> backward.put(n, forward.get(n)));
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("z", "1");
        meta.put("a", "2");
        Map<String, String> metaReversed = new java.util.LinkedHashMap<>();
        metaReversed.put("a", "2");
        metaReversed.put("z", "1");

        // when
        SafetensorsWriter.write(tmp.resolve("a.safetensors"), forward, meta);
        SafetensorsWriter.write(tmp.resolve("b.safetensors"), backward, metaReversed);

        // then
        assertThat(Files.readAllBytes(tmp.resolve("a.safetensors"))).isEqualTo(Files.readAllBytes(tmp.resolve("b.safetensors")));
    }

    @Test
    void padsHeaderWithSpacesToMultipleOfEight() throws IOException {
        Path f = tmp.resolve("pad.safetensors");
        SafetensorsWriter.write(f, sample(), null);
        byte[] bytes = Files.readAllBytes(f);
        long len = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(len % 8).isZero();
        String header = new String(bytes, 8, (int) len, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}");
        assertThat(header.trim()).endsWith("}");
        assertThat(header.substring(header.trim().length())).matches(" *");
        assertThat(header).doesNotContain("__metadata__");
        assertThat(bytes.length).isEqualTo(8 + len + (6 + 3 + 0 + 1) * 4);
    }

    @Test
    void replacesExistingFileAndLeavesNoTempFiles() throws IOException {
        Path f = tmp.resolve("x.safetensors");
        Files.writeString(f, "old contents");
        SafetensorsWriter.write(f, sample(), Map.of());
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("x.safetensors");
        }
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertThat(sf.readFloats("b")).containsExactly(7, 8, 9);
        }
    }

    @Test
    void rewritesARealCheckpointByteForByteCompatible() {
        Path src = TestFiles.stories260k().resolve("model.safetensors");
        Path f = tmp.resolve("copy.safetensors");
        Map<String, HostTensor> all = new LinkedHashMap<>();
        try (SafetensorsFile sf = SafetensorsFile.open(src)) {
            sf.names().forEach(n -> all.put(n, sf.read(n)));
            SafetensorsWriter.write(f, all, sf.metadata());
        }
        try (SafetensorsFile a = SafetensorsFile.open(src); SafetensorsFile b = SafetensorsFile.open(f)) {
            assertThat(b.names()).containsExactlyElementsOf(a.names());
            assertThat(b.metadata()).isEqualTo(a.metadata());
            for (String n : a.names()) {
                assertThat(b.info(n)).isEqualTo(a.info(n));
                assertThat(b.read(n)).isEqualTo(a.read(n));
            }
        }
    }
}
