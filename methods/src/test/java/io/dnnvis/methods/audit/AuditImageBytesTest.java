package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.image.ImageReading;
import io.dnnvis.methods.image.Preprocessing;
import io.dnnvis.methods.image.ResizeMode;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image's bytes decode as its file does (the Spark audit decodes what binaryFile hands over): the
 * same input values, and for files that are no usable image the same skip reasons.
 */
class AuditImageBytesTest {

    private static OnnxModel model;
    private static InputLayout layout;
    private static long[] inputShape;
    private static final ImageInput.Options OPTIONS = ImageInput.Options.defaults();

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        model = OnnxModel.load(TestData.glyphNet());
        layout = InputLayout.of(model);
        inputShape = ImageInput.load(TestData.file("images/glyphs/A.png"), model, OPTIONS, layout).tensor().shape();
    }

    private static AuditImage fromFile(Path file, String name) {
        return AuditImage.decode(file, name, model, OPTIONS, layout, inputShape);
    }

    private static AuditImage fromBytes(Path file, String name) throws IOException {
        return AuditImage.decode(Files.readAllBytes(file), name, model, OPTIONS, layout, inputShape);
    }

    @Test
    void imagesGiveTheFilesInputValues() throws IOException {
        for (String name : new String[] {"images/glyphs/R.png", "images/cmyk/cmyk-adobe.jpg",
                "images/cmyk/ycck-adobe.jpg", "images/cmyk/cmyk-plain.jpg"}) {
            Path file = TestData.file(name);
            AuditImage a = fromFile(file, name);
            AuditImage b = fromBytes(file, name);
            assertThat(a.skipped()).as(name).isNull();
            assertThat(b.skipped()).as(name).isNull();
            assertThat(b.file()).isEqualTo(name);
            assertThat(b.data()).as(name).hasSize(a.data().length);
            assertThat(Arrays.equals(a.data(), b.data())).as(name + ": the same values").isTrue();
        }
        // another preset and resize mode: the picture too
        ImageInput.Options other = new ImageInput.Options(Preprocessing.CAFFE, ResizeMode.FIT, null,
                ImageReading.DEFAULT_MAX_PIXELS);
        Path jpeg = TestData.file("images/cmyk/cmyk-adobe.jpg");
        ImageInput a = ImageInput.load(jpeg, model, other, layout);
        ImageInput b = ImageInput.load(Files.readAllBytes(jpeg), "cmyk.jpg", model, other, layout);
        assertThat(b.tensor().shape()).containsExactly(inputShape);
        assertThat(Arrays.equals(a.tensor().data(), b.tensor().data())).isTrue();
        int w = a.picture().getWidth();
        int h = a.picture().getHeight();
        assertThat(b.picture().getRGB(0, 0, w, h, null, 0, w)).containsExactly(a.picture().getRGB(0, 0, w, h, null, 0, w));
    }

    @Test
    void bmpAndTiffCopiesOfAPngGiveItsInputValues() throws IOException {
        Path png = TestData.file("images/glyphs/R.png");
        float[] expected = fromFile(png, "R.png").data();
        java.awt.image.BufferedImage rgb = ImageReading.read(png, ImageReading.DEFAULT_MAX_PIXELS);
        for (String format : new String[] {"bmp", "tiff"}) { // a GIF's palette would not hold the glyph's grays
            Path copy = dir.resolve("R." + format);
            assertThat(javax.imageio.ImageIO.write(rgb, format, copy.toFile())).isTrue();
            AuditImage a = fromFile(copy, "R." + format);
            assertThat(a.skipped()).as(format).isNull();
            assertThat(Arrays.equals(a.data(), expected)).as(format + ": the PNG's values").isTrue();
            assertThat(Arrays.equals(fromBytes(copy, "R." + format).data(), expected)).as(format).isTrue();
        }
    }

    @Test
    void unusableFilesAreSkippedForTheSameReasons() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not an image");
        byte[] png = Files.readAllBytes(TestData.file("images/glyphs/R.png"));
        Path truncated = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        Path huge = Files.write(dir.resolve("huge.png"), pngHeaderOnly(200_000, 100_000));
        Path gif = Files.write(dir.resolve("anim.png"), "GIF89a......".getBytes(StandardCharsets.US_ASCII));
        Path webp = Files.write(dir.resolve("photo.webp"), "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII));
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(javax.imageio.ImageIO.read(TestData.file("images/coffee.png").toFile()), "jpeg", jpeg);
        Path cutJpeg = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(jpeg.toByteArray(), jpeg.size() / 2));
        for (Path file : new Path[] {text, truncated, huge, gif, webp, empty, cutJpeg}) {
            String name = "sub/" + file.getFileName();
            SkippedFile expected = fromFile(file, name).skipped();
            assertThat(expected).as(name).isNotNull();
            assertThat(fromBytes(file, name).skipped()).as(name).isEqualTo(expected);
        }
        assertThat(fromBytes(text, "notes.txt").skipped().reason())
                .isEqualTo("is not an image (its first bytes match none of the formats); dnnvis reads PNG, JPEG, BMP, GIF"
                        + " and TIFF");
        assertThat(fromBytes(huge, "huge.png").skipped().reason())
                .isEqualTo("image of 200000x100000 pixels is larger than the limit of 100000000 pixels");
        assertThat(fromBytes(truncated, "truncated.png").skipped().reason()).startsWith("cannot decode the image (");
        assertThat(fromBytes(gif, "anim.png").skipped().reason()).startsWith("cannot decode the image (")
                .contains("a kind of GIF");
        assertThat(fromBytes(webp, "photo.webp").skipped().reason()).startsWith("is a WebP image");
        assertThat(fromBytes(cutJpeg, "cut.jpg").skipped().reason())
                .isEqualTo("the image data is truncated or corrupt (Corrupt JPEG data: premature end of data segment)");
    }

    /** A PNG's signature and IHDR chunk claiming {@code width x height} RGB pixels, and nothing else. */
    private static byte[] pngHeaderOnly(int width, int height) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(file);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {8, 2, 0, 0, 0}); // 8-bit RGB, deflate, adaptive filtering, no interlace
        byte[] type = "IHDR".getBytes(StandardCharsets.US_ASCII);
        byte[] data = ihdr.toByteArray();
        out.writeInt(data.length);
        out.write(type);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(data);
        out.writeInt((int) crc.getValue());
        return file.toByteArray();
    }
}
