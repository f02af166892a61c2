package io.dnnvis.trace;

import io.dnnvis.onnx.HalfFloats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1-3, C order). Reading takes regular
 * files only and refuses what {@code np.load} refuses (the header is parsed as the Python literal it
 * is, see {@link NpyHeader}); it accepts the dtypes {@link #ACCEPTED} names and converts them to
 * float32. Writing always produces float32 ({@code <f4}).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** The dtypes {@link #read} accepts, in words (for help texts and error messages). */
    public static final String ACCEPTED = "little-endian float32, float64, float16, int64, int32, int16, int8, uint8 "
            + "or bool, C order; converted to float32";

    private Npy() {
    }

    /** Reads a {@code .npy} file; every problem is a {@link BadInputException} naming the file. */
    public static TensorValue read(Path file, String name) {
        try {
            return readRegularFile(file, name);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + reason(e) + ")");
        } catch (OutOfMemoryError e) {
            throw new BadInputException(file + ": too large to read into memory");
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
    }

    /**
     * Checks the file's type before opening it (a FIFO would block, a device never end), then reads the
     * header and checks the data's length against it before reading the data.
     */
    private static TensorValue readRegularFile(Path file, String name) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (attributes.isDirectory()) {
            throw new IllegalArgumentException("is a folder, not a .npy file");
        }
        if (!attributes.isRegularFile()) {
            throw new IllegalArgumentException("not a regular file (a device, FIFO or socket); give a .npy file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            byte[] preamble = readFully(channel, 0, (int) Math.min(size, 12));
            int offset = preambleLength(preamble);
            long headerLength = headerLength(preamble);
            if (offset + headerLength > size) {
                throw new IllegalArgumentException("corrupt .npy header (the file ends inside it)");
            }
            byte[] header = readFully(channel, offset, (int) headerLength);
            NpyHeader h = header(preamble[6], header);
            long dataLength = size - offset - headerLength;
            long count = checkDataLength(h, dataLength);
            ByteBuffer data = ByteBuffer.wrap(readFully(channel, offset + headerLength, (int) dataLength));
            return new TensorValue(name, h.shape(), convert(h.descr(), data, (int) count));
        }
    }

    private static byte[] readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                throw new IllegalArgumentException("file was truncated while being read");
            }
        }
        return b.array();
    }

    static TensorValue parse(byte[] bytes, String name) {
        int offset = preambleLength(bytes);
        long headerLength = headerLength(bytes);
        if (offset + headerLength > bytes.length) {
            throw new IllegalArgumentException("corrupt .npy header (the file ends inside it)");
        }
        NpyHeader h = header(bytes[6], Arrays.copyOfRange(bytes, offset, offset + (int) headerLength));
        int dataStart = offset + (int) headerLength;
        long count = checkDataLength(h, bytes.length - dataStart);
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart).slice();
        return new TensorValue(name, h.shape(), convert(h.descr(), data, (int) count));
    }

    /** The length of magic, version and header length: 10 (format 1.0) or 12 (2.0, 3.0). */
    private static int preambleLength(byte[] bytes) {
        if (bytes.length < 10) {
            throw new IllegalArgumentException("not a .npy file (too short)");
        }
        for (int k = 0; k < MAGIC.length; k++) {
            if (bytes[k] != MAGIC[k]) {
                throw new IllegalArgumentException("not a .npy file (bad magic)");
            }
        }
        int major = bytes[6];
        if ((major != 1 && major != 2 && major != 3) || bytes[7] != 0) {
            throw new IllegalArgumentException("unsupported .npy format version " + (bytes[6] & 0xff) + "."
                    + (bytes[7] & 0xff));
        }
        if (major > 1 && bytes.length < 12) {
            throw new IllegalArgumentException("not a .npy file (too short)");
        }
        return major == 1 ? 10 : 12;
    }

    private static long headerLength(byte[] preamble) {
        ByteBuffer b = ByteBuffer.wrap(preamble).order(ByteOrder.LITTLE_ENDIAN);
        long length = preamble[6] == 1 ? b.getShort(8) & 0xffff : b.getInt(8) & 0xffffffffL;
        // UTF-8 (format 3.0) takes up to 4 bytes a character
        if (length > 4L * NpyHeader.MAX_CHARS) {
            throw new IllegalArgumentException("corrupt .npy header (" + length + " bytes, NumPy reads "
                    + NpyHeader.MAX_CHARS + " characters at most)");
        }
        return length;
    }

    private static NpyHeader header(byte major, byte[] header) {
        String text = new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader h = NpyHeader.parse(text, major < 3);
        if (h.fortranOrder()) {
            throw new IllegalArgumentException("Fortran-order arrays are not supported (save a C-contiguous array)");
        }
        return h;
    }

    /** The element count, after checking the data holds exactly what the header says (before any allocation). */
    private static long checkDataLength(NpyHeader h, long dataLength) {
        int itemSize = itemSize(h.descr());
        long count;
        long needed;
        try {
            count = TensorValue.elementCount(h.shape());
            needed = Math.multiplyExact(count, itemSize);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(h.shape()) + " is too large");
        }
        if (dataLength != needed) {
            throw new IllegalArgumentException("data holds " + dataLength + " bytes, shape "
                    + Arrays.toString(h.shape()) + " of '" + h.descr() + "' needs " + needed);
        }
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + Arrays.toString(h.shape()) + " of '" + h.descr()
                    + "' holds " + needed + " bytes, more than the " + (Integer.MAX_VALUE - 8) + " one array can");
        }
        return count;
    }

    private static float[] convert(String descr, ByteBuffer bytes, int count) {
        ByteBuffer d = bytes.order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[count];
        for (int k = 0; k < data.length; k++) {
            data[k] = switch (descr) {
                case "<f4" -> d.getFloat(4 * k);
                case "<f8" -> (float) d.getDouble(8 * k);
                case "<f2" -> HalfFloats.halfToFloat(d.getShort(2 * k));
                case "<i8" -> (float) d.getLong(8 * k);
                case "<i4" -> (float) d.getInt(4 * k);
                case "<i2" -> (float) d.getShort(2 * k);
                case "|i1" -> (float) d.get(k);
                case "|u1", "|b1" -> (float) (d.get(k) & 0xff);
                default -> throw new IllegalStateException(descr);
            };
        }
        return data;
    }

    private static int itemSize(String descr) {
        return switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "<f2", "<i2" -> 2;
            case "|i1", "|u1", "|b1" -> 1;
            default -> throw new IllegalArgumentException("unsupported dtype '" + descr + "' (" + ACCEPTED + ")");
        };
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
    }

    /** The bytes of a float32 {@code .npy} file (format 1.0) holding {@code t}. */
    public static byte[] toBytes(TensorValue t) {
        long[] shape = t.shape();
        StringBuilder s = new StringBuilder("(");
        for (int k = 0; k < shape.length; k++) {
            s.append(shape[k]).append(shape.length == 1 ? "," : (k + 1 < shape.length ? ", " : ""));
        }
        s.append(')');
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ")
                .append(s).append(", }");
        int unpadded = 10 + header.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        header.append(" ".repeat(padding)).append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        float[] data = t.dataView();
        ByteBuffer out = ByteBuffer.allocate(10 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        out.asFloatBuffer().put(data);
        return out.array();
    }

    /** Writes {@code t} as float32 {@code .npy}, atomically. */
    public static void write(Path file, TensorValue t) throws IOException {
        AtomicFiles.write(file, toBytes(t));
    }
}
