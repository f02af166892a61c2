package io.dnnvis.methods.image;

import io.dnnvis.trace.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * What an image file is, decided from its first bytes (never from its name): dnnvis reads PNG
 * ({@code 89 50 4E 47 0D 0A 1A 0A}) and JPEG ({@code FF D8 FF}) and refuses anything else before
 * ImageIO decodes a byte, naming the common formats it recognises (ImageIO would otherwise read GIF,
 * BMP and TIFF, and take almost any garbage for a WBMP).
 */
public enum ImageFormat {
    PNG,
    JPEG;

    /** PNG's signature. */
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Enough bytes for every signature below. */
    private static final int HEAD = 12;

    /** The format of {@code file}, or a {@link BadInputException} naming the file and what it is instead. */
    public static ImageFormat of(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the file (" + e.getClass().getSimpleName() + ")");
        }
        return of(head).orElseThrow(() -> new BadInputException(file + ": " + describeOther(head)
                + "; dnnvis reads PNG and JPEG"));
    }

    /**
     * The format of an image's bytes, {@code content}, named {@code name} in messages; as {@link #of(Path)}
     * for a file with that content.
     */
    public static ImageFormat of(byte[] content, String name) {
        byte[] head = Arrays.copyOf(content, Math.min(HEAD, content.length));
        return of(head).orElseThrow(() -> new BadInputException(name + ": " + describeOther(head)
                + "; dnnvis reads PNG and JPEG"));
    }

    /** PNG or JPEG by the signature at the start of {@code head}; empty for anything else. */
    static Optional<ImageFormat> of(byte[] head) {
        if (startsWith(head, PNG_MAGIC)) {
            return Optional.of(PNG);
        }
        if (head.length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            return Optional.of(JPEG);
        }
        return Optional.empty();
    }

    /** What a file that is neither PNG nor JPEG is, as far as its first bytes tell. */
    static String describeOther(byte[] head) {
        if (head.length == 0) {
            return "is empty, not an image";
        }
        if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) {
            return "is a GIF image";
        }
        if (startsWith(head, ascii("BM"))) {
            return "is a BMP image";
        }
        if (startsWith(head, new byte[] {'I', 'I', 42, 0}) || startsWith(head, new byte[] {'M', 'M', 0, 42})) {
            return "is a TIFF image";
        }
        if (startsWith(head, ascii("RIFF")) && head.length >= 12
                && Arrays.equals(Arrays.copyOfRange(head, 8, 12), ascii("WEBP"))) {
            return "is a WebP image";
        }
        if (startsWith(head, ascii("\u0093NUMPY"))) {
            return "is a .npy file, not an image (use --input-npy)";
        }
        return "is not a PNG or JPEG image (its first bytes are neither signature)";
    }

    private static byte[] ascii(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) s.charAt(i);
        }
        return b;
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(Arrays.copyOf(head, magic.length), magic);
    }
}
