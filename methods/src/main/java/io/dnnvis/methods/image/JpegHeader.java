package io.dnnvis.methods.image;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a JPEG's marker segments before its first scan say about its colours: the number of
 * components (frame header SOFn) and the transform flag of an Adobe APP14 segment, which tells
 * CMYK (0) from YCCK (2) and, by its presence, that CMYK samples are stored inverted.
 *
 * @param components 1 (gray), 3 (YCbCr or RGB) or 4 (CMYK or YCCK)
 * @param adobeTransform the Adobe segment's transform (0 none/CMYK, 1 YCbCr, 2 YCCK); -1 without one
 * @param progressive whether the frame is progressive (SOF2, 6, 10, 14): its scans refine the whole
 *     image one after the other, so a file cut between two scans still decodes, coarser
 */
record JpegHeader(int components, int adobeTransform, boolean progressive) {

    /** A baseline or sequential frame's header. */
    JpegHeader(int components, int adobeTransform) {
        this(components, adobeTransform, false);
    }

    /** Adobe APP14 transform of YCCK. */
    static final int YCCK = 2;

    /** Whether there is an Adobe APP14 segment. */
    boolean adobe() {
        return adobeTransform >= 0;
    }

    /**
     * Reads the header of {@code file}; empty when it is no JPEG or its markers end (or break) before
     * a frame header, which leaves the error to the image decoder.
     */
    static Optional<JpegHeader> read(Path file) {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            return parse(in);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The header of a JPEG's bytes, as {@link #read(Path)} reads it from a file. */
    static Optional<JpegHeader> read(byte[] content) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(content))) {
            return parse(in);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<JpegHeader> parse(DataInputStream in) throws IOException {
        if (in.readUnsignedShort() != 0xFFD8) {
            return Optional.empty();
        }
        int components = -1;
        int transform = -1;
        boolean progressive = false;
        while (true) {
            int b = in.readUnsignedByte();
            if (b != 0xFF) {
                return Optional.empty(); // not a marker where one must be
            }
            int marker = in.readUnsignedByte();
            while (marker == 0xFF) { // fill bytes
                marker = in.readUnsignedByte();
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // markers without a segment
            }
            if (marker == 0xDA || marker == 0xD9) { // start of scan, end of image: the header is over
                return components < 0 ? Optional.empty()
                        : Optional.of(new JpegHeader(components, transform, progressive));
            }
            int length = in.readUnsignedShort() - 2;
            if (length < 0) {
                return Optional.empty();
            }
            byte[] segment = new byte[length];
            in.readFully(segment);
            if (isFrameHeader(marker) && length >= 6) {
                components = segment[5] & 0xFF;
                progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
            } else if (marker == 0xEE && length >= 12 && new String(segment, 0, 5,
                    java.nio.charset.StandardCharsets.US_ASCII).equals("Adobe")) {
                transform = segment[11] & 0xFF;
            }
        }
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }
}
