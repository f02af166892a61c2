package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files {@code np.load} refuses, and files that are not files, given to {@link Npy#read}. */
class NpyHostileTest {

    @TempDir
    Path dir;

    @Test
    void refusesDevicesFoldersAndFifosBeforeReadingWithoutBlocking() throws Exception {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero));
        assertThatThrownBy(() -> Npy.read(zero, "x")).isInstanceOf(BadInputException.class)
                .hasMessage("/dev/zero: not a regular file (a device, FIFO or socket); give a .npy file");
        assertThatThrownBy(() -> Npy.read(dir, "x")).isInstanceOf(BadInputException.class)
                .hasMessage(dir + ": is a folder, not a .npy file");
        Path link = dir.resolve("zero.npy");
        Files.createSymbolicLink(link, zero);
        assertThatThrownBy(() -> Npy.read(link, "x")).hasMessageContaining("not a regular file");
        Path fifo = dir.resolve("fifo.npy");
        assumeTrue(mkfifo(fifo), "mkfifo is not available");
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThatThrownBy(() -> Npy.read(fifo, "x")).isInstanceOf(BadInputException.class)
                        .hasMessage(fifo + ": not a regular file (a device, FIFO or socket); give a .npy file"));
    }

    @Test
    void anExtraKeyIsRefusedEvenWhenItHidesADescr() {
        byte[] f = file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': {'descr': '<i4'}}", 4);
        assertThatThrownBy(() -> Npy.parse(f, "x")).hasMessageStartingWith("corrupt .npy header");
        byte[] g = file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': '<i4'}", 4);
        assertThatThrownBy(() -> Npy.parse(g, "x"))
                .hasMessage("corrupt .npy header (keys [descr, extra, fortran_order, shape], NumPy needs exactly "
                        + "[descr, fortran_order, shape])");
        byte[] missing = file("{'descr': '<f4', 'shape': (1,)}", 4);
        assertThatThrownBy(() -> Npy.parse(missing, "x")).hasMessageContaining("keys [descr, shape]");
    }

    @Test
    void aDuplicateKeyTakesItsLastValueAsPythonDoes() {
        byte[] f = file("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), 'descr': '<f4', }", 8,
                1.5f, -2.25f);
        assertThat(Npy.parse(f, "x").data()).containsExactly(1.5f, -2.25f);
        byte[] g = file("{'shape': (9,), 'descr': '<f4', 'fortran_order': False, 'shape': (1, 2)}", 8, 3f, 4f);
        assertThat(Npy.parse(g, "x").shape()).containsExactly(1, 2);
    }

    @Test
    void readsThePythonLiteralSubsetNumPyReads() {
        byte[] f = file("{\"descr\":\"<f4\",\t\"fortran_order\" :False ,\n'shape':( 1 , 2 , ) ,}   \n", 8, 5f, 6f);
        TensorValue t = Npy.parse(f, "x");
        assertThat(t.shape()).containsExactly(1, 2);
        assertThat(t.data()).containsExactly(5f, 6f);
        byte[] scalar = file("{'descr': '<f4', 'fortran_order': False, 'shape': ()}", 4, 7f);
        assertThat(Npy.parse(scalar, "x").shape()).isEmpty();
        byte[] py2 = file("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }", 8, 1f, 2f);
        assertThat(Npy.parse(py2, "x").shape()).containsExactly(2);
    }

    @Test
    void refusesWhatNumPyRefuses() {
        String[][] cases = {
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", "not a tuple"},
            {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", "not True or False"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), ", "at character"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", "text after the dict"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': ('1',)}", "holds something other than ints"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "negative dimension"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (1.0,)}", "unsupported number"},
            {"{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}", "unsupported value"},
            {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", "unsupported value"},
            {"['descr', '<f4']", "expected '{'"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "too large"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> Npy.parse(file(c[0], 4), "x")).as(c[0]).hasMessageContaining(c[1]);
        }
        byte[] long3 = file("{'descr': '<f4', 'fortran_order': False, 'shape': (1L,)}", 4);
        long3[6] = 3;
        assertThatThrownBy(() -> Npy.parse(withVersion3(long3), "x")).hasMessageContaining("unsupported number");
        byte[] minor = file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4);
        minor[7] = 1;
        assertThatThrownBy(() -> Npy.parse(minor, "x")).hasMessage("unsupported .npy format version 1.1");
        String big = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}" + " ".repeat(NpyHeader.MAX_CHARS);
        assertThatThrownBy(() -> Npy.parse(file(big, 4), "x")).hasMessageContaining("NumPy reads 10000");
    }

    @Test
    void checksTheDataLengthAgainstTheHeaderBeforeAllocating() throws Exception {
        Path f = dir.resolve("huge.npy");
        Files.write(f, file("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 10000)}", 16));
        assertThatThrownBy(() -> Npy.read(f, "x")).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": data holds 16 bytes, shape [100000, 10000] of '<f8' needs 8000000000");
        Files.write(f, file("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}", 16));
        assertThatThrownBy(() -> Npy.read(f, "x")).hasMessage(f + ": shape [4611686018427387904, 4] is too large");
    }

    /** A format 1.0 file with the given header and {@code dataBytes} bytes of data, the floats first. */
    private static byte[] file(String header, int dataBytes, float... values) {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** The same file in format 3.0 (a 4-byte header length). */
    private static byte[] withVersion3(byte[] v1) {
        ByteBuffer in = ByteBuffer.wrap(v1).order(ByteOrder.LITTLE_ENDIAN);
        int length = in.getShort(8) & 0xffff;
        ByteBuffer out = ByteBuffer.allocate(v1.length + 2).order(ByteOrder.LITTLE_ENDIAN);
        out.put(v1, 0, 6).put((byte) 3).put((byte) 0).putInt(length).put(v1, 10, v1.length - 10);
        return out.array();
    }

    static boolean mkfifo(Path path) {
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
            return p.waitFor() == 0 && Files.exists(path);
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
