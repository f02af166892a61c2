package io.dnnvis.methods.image;

import io.dnnvis.trace.BadInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads PNG, JPEG, BMP, GIF and TIFF files, recognised by their first bytes ({@link ImageFormat};
 * anything else is refused before it is decoded), (8- or 16-bit, gray, palette, RGB, RGBA; JPEG also
 * CMYK and YCCK, see {@link CmykJpeg}; a GIF's first frame, a TIFF's first page) into 8-bit sRGB
 * pixels, refusing images above a pixel limit before their raster is decoded (decompression bombs),
 * and TIFFs of more than 4 samples per pixel, of samples wider than 16 bits or of floating-point
 * samples (no picture to show, and a raster larger than its pixel count says).
 */
public final class ImageReading {

    /** 100 megapixels: far above any CNN input, far below what would exhaust memory. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private ImageReading() {
    }

    /** The image as 8-bit RGB (alpha composited over black). */
    public static BufferedImage read(Path file, long maxPixels) {
        return read(file, maxPixels, false);
    }

    /**
     * The image as ImageIO decodes it, its bands and alpha as stored (CMYK and YCCK JPEGs converted to
     * RGB), with the same checks and refusals as {@link #read(Path, long)}: for pictures whose values,
     * not colours, matter (a mask's nonzero pixels).
     */
    public static BufferedImage readAsStored(Path file, long maxPixels) {
        return read(file, maxPixels, true);
    }

    private static BufferedImage read(Path file, long maxPixels, boolean asStored) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + (Files.exists(file) ? ": not a regular file" : ": file not found"));
        }
        ImageFormat format = ImageFormat.of(file); // refuses WebP and garbage before ImageIO sees a byte
        return decode(file.toString(), format, () -> ImageIO.createImageInputStream(file.toFile()),
                () -> JpegHeader.read(file), maxPixels, asStored);
    }

    /**
     * The pixels of an image's bytes, {@code content}, named {@code name} in messages: the same
     * decoding, limits and refusals as {@link #read(Path, long)} of a file with that content.
     */
    public static BufferedImage read(byte[] content, String name, long maxPixels) {
        ImageFormat format = ImageFormat.of(content, name);
        return decode(name, format, () -> new MemoryCacheImageInputStream(new ByteArrayInputStream(content)),
                () -> JpegHeader.read(content), maxPixels, false);
    }

    /** Where ImageIO reads the image from. */
    private interface Source {
        ImageInputStream open() throws IOException;
    }

    private static BufferedImage decode(String name, ImageFormat format, Source source,
            Supplier<Optional<JpegHeader>> jpegHeader, long maxPixels, boolean asStored) {
        try (ImageInputStream in = source.open()) {
            if (in == null) {
                throw new BadInputException(name + ": cannot read the file");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
            if (!readers.hasNext()) {
                throw new BadInputException(name + ": no " + format + " reader in this Java runtime");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new BadInputException(name + ": image has no pixels (" + width + "x" + height + ")");
                }
                if (width * height > maxPixels) {
                    throw new BadInputException(name + ": image of " + width + "x" + height
                            + " pixels is larger than the limit of " + maxPixels + " pixels");
                }
                if (format == ImageFormat.TIFF) {
                    refuseWideSamples(name, reader);
                }
                if (format == ImageFormat.GIF && height >= 2 && height <= 4 && interlaced(reader)) {
                    throw new BadInputException(name + ": an interlaced GIF of " + height + " rows; the GIF reader of"
                            + " this Java runtime puts the rows of such a small one in the wrong places");
                }
                Optional<JpegHeader> header = reader.getFormatName().equalsIgnoreCase("jpeg") ? jpegHeader.get()
                        : Optional.empty(); // read once: from a file, each read opens it
                boolean progressive = header.map(JpegHeader::progressive).orElse(false);
                List<String> missingData = new ArrayList<>();
                reader.addIIOReadWarningListener((r, warning) -> {
                    if (isMissingData(warning) || progressive && isMissingEnd(warning)) {
                        missingData.add(warning);
                    }
                });
                // CMYK and YCCK: ImageIO's read handles them differently by JDK version
                Optional<JpegHeader> cmyk = header.filter(h -> h.components() == 4);
                BufferedImage image = cmyk.isPresent() ? CmykJpeg.toRgb(reader.readRaster(0, null), cmyk.get())
                        : asStored ? reader.read(0) : toRgb(reader.read(0));
                if (!missingData.isEmpty()) {
                    throw new BadInputException(name + ": the image data is truncated or corrupt ("
                            + missingData.get(0) + ")");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException b) {
                throw b;
            }
            throw new BadInputException(name + ": cannot decode the image (" + reasons(e)
                    + "): the file is truncated or corrupt, or a kind of " + format + " this Java runtime cannot read");
        }
    }

    /**
     * Whether a GIF's first frame is interlaced. (ImageIO's reader mixes up the rows of interlaced
     * frames 2 to 4 rows tall: measured against Pillow's decoding of the same files.)
     */
    private static boolean interlaced(ImageReader reader) throws IOException {
        javax.imageio.metadata.IIOMetadata metadata = reader.getImageMetadata(0);
        org.w3c.dom.Node root = metadata.getAsTree("javax_imageio_gif_image_1.0");
        for (org.w3c.dom.Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals("ImageDescriptor")) {
                org.w3c.dom.Node flag = n.getAttributes().getNamedItem("interlaceFlag");
                return flag != null && flag.getNodeValue().equalsIgnoreCase("TRUE");
            }
        }
        return false;
    }

    /**
     * Refuses a TIFF whose samples no picture shows, before its raster is decoded: more than 4 per
     * pixel (a TIFF may declare thousands, a raster far larger than its pixel count), wider than 16
     * bits, or floating-point.
     */
    private static void refuseWideSamples(String name, ImageReader reader) throws IOException {
        javax.imageio.ImageTypeSpecifier raw = reader.getRawImageType(0);
        if (raw == null) {
            throw new BadInputException(name + ": a kind of TIFF this Java runtime cannot read");
        }
        java.awt.image.SampleModel samples = raw.getSampleModel();
        int widest = 0;
        for (int bits : samples.getSampleSize()) {
            widest = Math.max(widest, bits);
        }
        int type = samples.getDataType();
        if (samples.getNumBands() > 4 || widest > 16 || type == java.awt.image.DataBuffer.TYPE_FLOAT
                || type == java.awt.image.DataBuffer.TYPE_DOUBLE) {
            throw new BadInputException(name + ": a TIFF of " + samples.getNumBands() + " samples per pixel of "
                    + widest + " bits" + (type == java.awt.image.DataBuffer.TYPE_FLOAT
                            || type == java.awt.image.DataBuffer.TYPE_DOUBLE ? " (floating point)" : "")
                    + "; dnnvis reads TIFFs of at most 4 samples of at most 16 bits (integers)");
        }
    }

    /**
     * Whether an ImageIO warning says that pixels are missing. The JPEG reader decodes a file cut short
     * or with a damaged scan without an exception, filling the rest with gray, and says so only in
     * warnings ("Corrupt JPEG data: premature end of data segment"); such pixels are not the image. A
     * file that lacks only its end marker ("Missing EOI marker") has every pixel, and warnings about
     * extraneous bytes between markers are common in cameras' files: both are decoded as they are.
     */
    static boolean isMissingData(String warning) {
        return warning != null && warning.toLowerCase(Locale.ROOT).contains("premature end of data segment");
    }

    /**
     * Whether an ImageIO warning says the file ends without its end marker. A progressive JPEG cut
     * between two of its scans warns only this, and decodes to a coarser image: for one, a missing end
     * is missing data.
     */
    static boolean isMissingEnd(String warning) {
        return warning != null && warning.toLowerCase(Locale.ROOT).contains("missing eoi");
    }

    /** An exception's message and those of its causes, on one line ("IOException" where there is none). */
    private static String reasons(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null && s.length() < 300; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (!s.toString().contains(m)) {
                s.append(s.length() == 0 ? "" : ": ").append(m);
            }
        }
        return s.toString().replaceAll("\\s+", " ");
    }

    /** Any image type as 8-bit RGB, transparent pixels composited over black. */
    static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        var g = rgb.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }
}
