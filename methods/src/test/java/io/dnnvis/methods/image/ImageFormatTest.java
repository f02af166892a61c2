package io.dnnvis.methods.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.trace.BadInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images are recognised by content: PNG, JPEG, BMP, GIF and TIFF are read (the lossless ones to the
 * same pixels), WebP and garbage refused before decoding, and the BMP and TIFF headers that would
 * make the decoder allocate more than the pixel count says are refused before it runs.
 */
class ImageFormatTest {

    private static final String READS = "dnnvis reads PNG, JPEG, BMP, GIF and TIFF";

    @TempDir
    Path dir;

    /** Eight colours (a GIF's palette holds them exactly) at random places. */
    private static BufferedImage picture() {
        int[] colours = {0x000000, 0xffffff, 0xff8000, 0x0080ff, 0x20c040, 0x808080, 0x7f0011, 0x00fefd};
        BufferedImage img = new BufferedImage(13, 9, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(5);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, colours[random.nextInt(colours.length)]);
            }
        }
        return img;
    }

    private static void assertSamePixels(BufferedImage read, BufferedImage expected) {
        assertThat(read.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(read.getWidth()).isEqualTo(expected.getWidth());
        assertThat(read.getHeight()).isEqualTo(expected.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertThat(read.getRGB(x, y) & 0xffffff).as("(%d, %d)", x, y).isEqualTo(expected.getRGB(x, y) & 0xffffff);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"bmp, BMP", "gif, GIF", "tiff, TIFF", "png, PNG"})
    void losslessFormatsAreReadToTheirPixelsWhateverTheirName(String format, ImageFormat expected) throws Exception {
        // named .jpg on purpose: the content decides, not the name
        Path file = dir.resolve("picture-" + format + ".jpg");
        assertThat(ImageIO.write(picture(), format, file.toFile())).isTrue();
        assertThat(ImageFormat.of(file)).isEqualTo(expected);
        assertSamePixels(ImageReading.read(file, ImageReading.DEFAULT_MAX_PIXELS), picture());
        assertSamePixels(ImageReading.read(Files.readAllBytes(file), "bytes", ImageReading.DEFAULT_MAX_PIXELS),
                picture());
    }

    @ParameterizedTest
    @ValueSource(strings = {"LZW", "Deflate", "PackBits"})
    void compressedTiffsAreReadToTheirPixels(String compression) throws Exception {
        Path file = dir.resolve("picture-" + compression + ".tif");
        writeTiff(new IIOImage(picture(), null, null), file, compression);
        assertSamePixels(ImageReading.read(file, ImageReading.DEFAULT_MAX_PIXELS), picture());
    }

    @Test
    void jpegIsRecognisedWhateverItsName() throws Exception {
        Path jpeg = dir.resolve("b.png");
        ImageIO.write(picture(), "jpeg", jpeg.toFile());
        assertThat(ImageFormat.of(jpeg)).isEqualTo(ImageFormat.JPEG);
        assertThat(ImageReading.read(jpeg, ImageReading.DEFAULT_MAX_PIXELS).getWidth()).isEqualTo(13);
    }

    @Test
    void transparentGifPixelsAreCompositedOverBlackAsPngs() throws Exception {
        BufferedImage argb = new BufferedImage(4, 6, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0xffff8000);
        argb.setRGB(1, 0, 0x00ffffff); // transparent white
        Path gif = dir.resolve("t.gif");
        Path png = dir.resolve("t.png");
        assertThat(ImageIO.write(argb, "gif", gif.toFile())).isTrue();
        assertThat(ImageIO.write(argb, "png", png.toFile())).isTrue();
        BufferedImage fromGif = ImageReading.read(gif, ImageReading.DEFAULT_MAX_PIXELS);
        assertThat(fromGif.getRGB(0, 0) & 0xffffff).isEqualTo(0xff8000);
        assertThat(fromGif.getRGB(1, 0) & 0xffffff).isZero();
        assertSamePixels(fromGif, ImageReading.read(png, ImageReading.DEFAULT_MAX_PIXELS));
    }

    @Test
    void interlacedGifsOfTwoToFourRowsAreRefusedAndTallerOnesRead() throws Exception {
        // ImageIO's GIF writer interlaces; its reader misplaces the rows of frames 2-4 rows tall
        for (int rows = 1; rows <= 6; rows++) {
            BufferedImage img = picture().getSubimage(0, 0, 13, rows);
            Path file = dir.resolve("rows" + rows + ".gif");
            assertThat(ImageIO.write(img, "gif", file.toFile())).isTrue();
            if (rows >= 2 && rows <= 4) {
                assertThatThrownBy(() -> ImageReading.read(file, ImageReading.DEFAULT_MAX_PIXELS))
                        .isInstanceOf(BadInputException.class)
                        .hasMessage(file + ": an interlaced GIF of " + rows + " rows; the GIF reader of this Java runtime"
                                + " puts the rows of such a small one in the wrong places");
            } else {
                assertSamePixels(ImageReading.read(file, ImageReading.DEFAULT_MAX_PIXELS), img);
            }
        }
    }

    @Test
    void randomBytesAreRefusedNotReadAsWbmp() throws Exception {
        byte[] garbage = new byte[4 + 8];
        new Random(7).nextBytes(garbage);
        // type 0, header 0, 8x8: ImageIO's WBMP reader takes any such 12 bytes for a picture
        garbage[0] = 0;
        garbage[1] = 0;
        garbage[2] = 8;
        garbage[3] = 8;
        Path file = Files.write(dir.resolve("noise.png"), garbage);
        assertThat(ImageIO.read(file.toFile())).as("ImageIO alone reads it").isNotNull();
        assertThatThrownBy(() -> ImageReading.read(file, ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + ": is not an image (its first bytes match none of the formats); " + READS);
    }

    @Test
    void webPAndEmptyFilesAreNamedSo() throws Exception {
        Path webp = Files.write(dir.resolve("a.png"), "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> ImageFormat.of(webp)).hasMessage(webp + ": is a WebP image; " + READS);
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        assertThatThrownBy(() -> ImageFormat.of(empty)).hasMessage(empty + ": is empty, not an image; " + READS);
    }

    @Test
    void textThatStartsLikeABmpIsNotOne() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.bmp"), "BMW 320i, 1987: service record and notes");
        assertThatThrownBy(() -> ImageFormat.of(text)).hasMessageContaining("is not an image (its first bytes match none");
    }

    /** A BMP ImageIO writes (a 40-byte BITMAPINFOHEADER) with its little-endian int at {@code at} set to {@code value}. */
    private byte[] bmpWith(int at, int value) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(picture(), "bmp", out)).isTrue();
        byte[] bmp = out.toByteArray();
        assertThat(ByteBuffer.wrap(bmp, 14, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(40);
        ByteBuffer.wrap(bmp, at, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(value);
        return bmp;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bmp", "gif", "tiff"})
    void thePixelLimitIsCheckedBeforeDecoding(String format) throws Exception {
        Path file = dir.resolve("picture." + format);
        assertThat(ImageIO.write(picture(), format, file.toFile())).isTrue();
        assertThatThrownBy(() -> ImageReading.read(file, 13 * 9 - 1))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + ": image of 13x9 pixels is larger than the limit of 116 pixels");
    }

    @Test
    void aBmpHeaderOfTenGigapixelsIsRefused() throws Exception {
        byte[] bmp = bmpWith(18, 100_000);
        ByteBuffer.wrap(bmp, 22, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(100_000);
        ByteBuffer.wrap(bmp, 34, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(0); // the raster's size: 0 is allowed
        Path file = Files.write(dir.resolve("huge.bmp"), bmp);
        // ImageIO's BMP reader refuses it itself (its data cannot fill such a raster) before the limit is read
        assertThatThrownBy(() -> ImageReading.read(file, ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(file + ": cannot decode the image (Invalid width/height");
    }

    @ParameterizedTest
    @CsvSource({"4, JPEG", "5, PNG"})
    void aBmpHoldingAnotherFileIsRefused(int compression, String held) throws Exception {
        // BI_JPEG and BI_PNG: ImageIO would decode the file inside, of a size the BMP header does not bound
        Path file = Files.write(dir.resolve("inner.bmp"), bmpWith(30, compression));
        assertThatThrownBy(() -> ImageReading.read(file, ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + ": is a BMP image holding a " + held + " file, whose size its header does not give; "
                        + READS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bmp", "gif", "tiff"})
    void truncatedFilesAreRefused(String format) throws Exception {
        BufferedImage noise = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(9);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                noise.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(noise, format, out)).isTrue();
        byte[] whole = out.toByteArray();
        Path cut = Files.write(dir.resolve("cut." + format), Arrays.copyOf(whole, whole.length * 2 / 3));
        assertThatThrownBy(() -> ImageReading.read(cut, ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(cut + ": cannot decode the image (");
    }

    @Test
    void tiffsOfMoreThanFourSamplesOrFloatSamplesAreRefused() throws Exception {
        Path five = Files.write(dir.resolve("five.tif"), tiff(5, 8, 1));
        assertThatThrownBy(() -> ImageReading.read(five, ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessage(five + ": a TIFF of 5 samples per pixel of 8 bits; dnnvis reads TIFFs of at most 4 samples"
                        + " of at most 16 bits (integers)");
        Path floats = Files.write(dir.resolve("floats.tif"), tiff(1, 32, 3));
        assertThatThrownBy(() -> ImageReading.read(floats, ImageReading.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BadInputException.class)
                .hasMessage(floats + ": a TIFF of 1 samples per pixel of 32 bits (floating point); dnnvis reads TIFFs of"
                        + " at most 4 samples of at most 16 bits (integers)");
        Path gray16 = Files.write(dir.resolve("gray16.tif"), tiff(1, 16, 1));
        BufferedImage read = ImageReading.read(gray16, ImageReading.DEFAULT_MAX_PIXELS);
        assertThat(read.getWidth()).isEqualTo(6);
        assertThat(read.getHeight()).isEqualTo(4);
    }

    /**
     * An uncompressed little-endian TIFF of 6x4 pixels, each of {@code samples} samples of {@code bits}
     * bits ({@code sampleFormat} 1: unsigned integers, 3: floating point), gray (min-is-black), all zero.
     */
    private static byte[] tiff(int samples, int bits, int sampleFormat) {
        int width = 6;
        int height = 4;
        int dataBytes = width * height * samples * bits / 8;
        int entries = 10;
        int ifd = 8;
        int bitsArray = ifd + 2 + 12 * entries + 4;
        int data = bitsArray + 2 * samples;
        ByteBuffer b = ByteBuffer.allocate(data + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd);
        b.putShort((short) entries);
        entry(b, 256, 3, 1, width);
        entry(b, 257, 3, 1, height);
        entry(b, 258, 3, samples, samples <= 2 ? bits | (samples == 2 ? bits << 16 : 0) : bitsArray);
        entry(b, 259, 3, 1, 1);
        entry(b, 262, 3, 1, 1);
        entry(b, 273, 4, 1, data);
        entry(b, 277, 3, 1, samples);
        entry(b, 278, 3, 1, height);
        entry(b, 279, 4, 1, dataBytes);
        entry(b, 339, 3, 1, sampleFormat);
        b.putInt(0);
        for (int s = 0; s < samples; s++) {
            b.putShort((short) bits);
        }
        return b.array();
    }

    /** One IFD entry: tag, type (3 SHORT, 4 LONG), count, and the value (or where the values are). */
    private static void entry(ByteBuffer b, int tag, int type, int count, int value) {
        b.putShort((short) tag).putShort((short) type).putInt(count);
        if (type == 3 && count == 1) {
            b.putShort((short) value).putShort((short) 0);
        } else {
            b.putInt(value);
        }
    }

    private static void writeTiff(IIOImage image, Path file, String compression) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionType(compression);
            writer.write(null, image, param);
        } finally {
            writer.dispose();
        }
    }
}
