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
 * ({@code 89 50 4E 47 0D 0A 1A 0A}), JPEG ({@code FF D8 FF}), BMP ({@code BM}), GIF ({@code GIF87a},
 * {@code GIF89a}) and TIFF ({@code II*\0}, {@code MM\0*}) and refuses anything else before ImageIO
 * decodes a byte, naming the common formats it recognises (ImageIO would otherwise take almost any
 * garbage for a WBMP).
 */
public enum ImageFormat {
    PNG("png"),
    JPEG("jpeg"),
    BMP("bmp"),
    GIF("gif"),
    TIFF("tiff");

    /** What the refusals say dnnvis reads. */
    static final String READS = "dnnvis reads PNG, JPEG, BMP, GIF and TIFF";

    /** PNG's signature. */
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Enough bytes for every signature below, and a BMP's header up to its compression. */
    private static final int HEAD = 34;
    /** The sizes of the BMP headers ImageIO reads (BITMAPCOREHEADER, OS/2 2.x, BITMAPINFOHEADER and its V2-V5). */
    private static final java.util.Set<Integer> BMP_HEADERS = java.util.Set.of(12, 16, 40, 52, 56, 64, 108, 124);
    /** BMP compressions that hold a whole JPEG or PNG file, whose own size the BMP header does not bound. */
    private static final java.util.Set<Integer> BMP_EMBEDDED = java.util.Set.of(4, 5);

    private final String imageIoName;

    ImageFormat(String imageIoName) {
        this.imageIoName = imageIoName;
    }

    /** The format's name for {@link javax.imageio.ImageIO#getImageReadersByFormatName}. */
    String imageIoName() {
        return imageIoName;
    }

    /** The format of {@code file}, or a {@link BadInputException} naming the file and what it is instead. */
    public static ImageFormat of(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the file (" + e.getClass().getSimpleName() + ")");
        }
        return of(head).orElseThrow(() -> new BadInputException(file + ": " + describeOther(head)
                + "; " + READS));
    }

    /**
     * The format of an image's bytes, {@code content}, named {@code name} in messages; as {@link #of(Path)}
     * for a file with that content.
     */
    public static ImageFormat of(byte[] content, String name) {
        byte[] head = Arrays.copyOf(content, Math.min(HEAD, content.length));
        return of(head).orElseThrow(() -> new BadInputException(name + ": " + describeOther(head)
                + "; " + READS));
    }

    /** The format whose signature {@code head} starts with; empty for anything else. */
    static Optional<ImageFormat> of(byte[] head) {
        if (startsWith(head, PNG_MAGIC)) {
            return Optional.of(PNG);
        }
        if (head.length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            return Optional.of(JPEG);
        }
        if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) {
            return Optional.of(GIF);
        }
        if (isBmp(head) && !BMP_EMBEDDED.contains(bmpCompression(head))) {
            return Optional.of(BMP);
        }
        if (startsWith(head, new byte[] {'I', 'I', 42, 0}) || startsWith(head, new byte[] {'M', 'M', 0, 42})) {
            return Optional.of(TIFF);
        }
        return Optional.empty();
    }

    /** What a file of no format dnnvis reads is, as far as its first bytes tell. */
    static String describeOther(byte[] head) {
        if (head.length == 0) {
            return "is empty, not an image";
        }
        if (isBmp(head)) { // of() took it for a BMP but for its compression
            return "is a BMP image holding a " + (bmpCompression(head) == 4 ? "JPEG" : "PNG") + " file, whose size"
                    + " its header does not give";
        }
        if (startsWith(head, ascii("RIFF")) && head.length >= 12
                && Arrays.equals(Arrays.copyOfRange(head, 8, 12), ascii("WEBP"))) {
            return "is a WebP image";
        }
        if (startsWith(head, ascii("\u0093NUMPY"))) {
            return "is a .npy file, not an image (use --input-npy)";
        }
        return "is not an image (its first bytes match none of the formats)";
    }

    /**
     * Whether {@code head} starts a BMP file: "BM", the file's size and two reserved words (14 bytes),
     * then a DIB header of a size ImageIO reads.
     */
    private static boolean isBmp(byte[] head) {
        return head.length >= 18 && startsWith(head, ascii("BM")) && BMP_HEADERS.contains(littleEndianInt(head, 14));
    }

    /** A BMP's compression (0 for the headers that have none; -1 where the file ends before it). */
    private static int bmpCompression(byte[] head) {
        if (littleEndianInt(head, 14) < 20) {
            return 0;
        }
        return head.length >= 34 ? littleEndianInt(head, 30) : -1;
    }

    private static int littleEndianInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
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
