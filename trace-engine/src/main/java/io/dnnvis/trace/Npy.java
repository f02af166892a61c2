package io.dnnvis.trace;

import io.dnnvis.onnx.HalfFloats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1-3, C order). Reading accepts
 * little-endian float32/float64/float16, int8-int64, uint8 and bool and converts to float32;
 * writing always produces float32 ({@code <f4}).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final int MAX_HEADER = 1 << 16;

    private Npy() {
    }

    /** Reads a {@code .npy} file; every problem is a {@link BadInputException} naming the file. */
    public static TensorValue read(Path file, String name) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException | OutOfMemoryError e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage());
        }
        try {
            return parse(bytes, name);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
    }

    static TensorValue parse(byte[] bytes, String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) {
            throw new IllegalArgumentException("not a .npy file (too short)");
        }
        for (int k = 0; k < MAGIC.length; k++) {
            if (bytes[k] != MAGIC[k]) {
                throw new IllegalArgumentException("not a .npy file (bad magic)");
            }
        }
        int major = bytes[6];
        long headerLength;
        int offset;
        if (major == 1) {
            headerLength = b.getShort(8) & 0xffff;
            offset = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new IllegalArgumentException("not a .npy file (too short)");
            }
            headerLength = b.getInt(8) & 0xffffffffL;
            offset = 12;
        } else {
            throw new IllegalArgumentException("unsupported .npy format version " + major);
        }
        if (headerLength > MAX_HEADER || offset + headerLength > bytes.length) {
            throw new IllegalArgumentException("corrupt .npy header");
        }
        String header = new String(bytes, offset, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, "descr");
        if (group(FORTRAN, header, "fortran_order").equals("True")) {
            throw new IllegalArgumentException("Fortran-order arrays are not supported (save a C-contiguous array)");
        }
        long[] shape = parseShape(group(SHAPE, header, "shape"));
        int dataStart = offset + (int) headerLength;
        long count;
        try {
            count = TensorValue.elementCount(shape);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new IllegalArgumentException("shape is too large or invalid");
        }
        int itemSize = itemSize(descr);
        if ((long) bytes.length - dataStart != count * itemSize) {
            throw new IllegalArgumentException("data holds " + (bytes.length - dataStart) + " bytes, shape "
                    + java.util.Arrays.toString(shape) + " of '" + descr + "' needs " + count * itemSize);
        }
        float[] data = new float[(int) count];
        ByteBuffer d = b.position(dataStart).slice().order(ByteOrder.LITTLE_ENDIAN);
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
        return new TensorValue(name, shape, data);
    }

    private static int itemSize(String descr) {
        return switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "<f2", "<i2" -> 2;
            case "|i1", "|u1", "|b1" -> 1;
            default -> throw new IllegalArgumentException("unsupported dtype '" + descr
                    + "' (float32/64/16, int8-64, uint8 or bool, little-endian)");
        };
    }

    private static String group(Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException("corrupt .npy header (no '" + key + "')");
        }
        return m.group(1);
    }

    private static long[] parseShape(String text) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            try {
                long v = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
                if (v < 0) {
                    throw new IllegalArgumentException("negative dimension in shape");
                }
                dims.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("corrupt .npy shape '" + text + "'");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
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
