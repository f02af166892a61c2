package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.testdata.TestData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void writesTheSameBytesNumPyWroteForTheReferenceInputs() throws Exception {
        for (String name : new String[] {"lenet", "alexnet-mini", "resnet-mini"}) {
            Path file = TestData.referenceInput(name);
            TensorValue t = Npy.read(file, "input");
            assertThat(Npy.toBytes(t)).as(name).isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void readsShapeAndValuesOfTheReferenceInput() throws Exception {
        Path file = TestData.referenceInput("lenet");
        TensorValue t = Npy.read(file, "input");
        assertThat(t.shape()).containsExactly(1, 3, 32, 32);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dataStart = bytes.length - 4 * 3 * 32 * 32;
        assertThat(t.data()[0]).isEqualTo(b.getFloat(dataStart));
        assertThat(t.data()[3071]).isEqualTo(b.getFloat(dataStart + 4 * 3071));
    }

    @Test
    void roundTripsScalarsVectorsAndAtomicWrite() throws Exception {
        TensorValue v = new TensorValue("v", new long[] {5}, new float[] {1, -2, 3.5f, Float.NaN, 1e-30f});
        Path f = dir.resolve("v.npy");
        Npy.write(f, v);
        assertThat(Npy.read(f, "v")).isEqualTo(v);
        assertThat(new String(Files.readAllBytes(f), 10, 60, java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains("'shape': (5,)");
        TensorValue scalar = new TensorValue("s", new long[0], new float[] {7});
        Npy.write(f, scalar);
        assertThat(Npy.read(f, "s").data()).containsExactly(7);
        assertThat((Files.size(f) - 4) % 64).as("header padded to 64 bytes").isZero();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("v.npy");
        }
    }

    @Test
    void convertsOtherDtypes() {
        byte[] header = header("<i8", "(3,)");
        ByteBuffer b = ByteBuffer.allocate(header.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header).putLong(-4).putLong(0).putLong(1L << 20);
        assertThat(Npy.parse(b.array(), "x").data()).containsExactly(-4, 0, 1 << 20);
        byte[] h2 = header("<f8", "(2,)");
        ByteBuffer d = ByteBuffer.allocate(h2.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        d.put(h2).putDouble(0.25).putDouble(-3);
        assertThat(Npy.parse(d.array(), "x").data()).containsExactly(0.25f, -3f);
    }

    @Test
    void refusesBrokenFilesWithTheFileName() throws Exception {
        Path f = dir.resolve("bad.npy");
        Files.writeString(f, "hello, not numpy");
        assertThatThrownBy(() -> Npy.read(f, "x")).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": not a .npy file (bad magic)");
        byte[] good = Npy.toBytes(new TensorValue("x", new long[] {2, 2}, new float[4]));
        Files.write(f, Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> Npy.read(f, "x")).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": data holds 13 bytes, shape [2, 2] of '<f4' needs 16");
        Files.write(f, header("<c8", "(1,)"));
        assertThatThrownBy(() -> Npy.read(f, "x")).hasMessageContaining("unsupported dtype '<c8'");
        Files.write(f, header("<f4", "(1,)").length > 0 ? fortran() : new byte[0]);
        assertThatThrownBy(() -> Npy.read(f, "x")).hasMessageContaining("Fortran-order");
        Path missing = dir.resolve("missing.npy");
        assertThatThrownBy(() -> Npy.read(missing, "x")).hasMessage(missing + ": file not found");
    }

    private static byte[] fortran() {
        String h = "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }\n";
        return concat(h);
    }

    private static byte[] header(String descr, String shape) {
        return concat("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n");
    }

    private static byte[] concat(String h) {
        byte[] hb = h.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + hb.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) hb.length).put(hb);
        return b.array();
    }
}
