package io.dnnvis.methods.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.BadInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images and sizes whose arithmetic overflows int: resampled from the crop only, or refused in one line. */
class HugeImageSizesTest {

    @TempDir
    Path dir;

    @Test
    void aOnePixelWideTallPngIsCroppedBeforeItIsResampled() throws Exception {
        int height = 20_000_000; // height x 224 output columns overflows int
        int middle = height / 2;
        Path png = tallGrayPng(height, y -> Math.abs(y - middle) < 1000 ? 77 : 3);
        OnnxModel model = model(1, 3, 224, 224);
        ImageInput in = ImageInput.load(png, model, new ImageInput.Options(Preprocessing.RAW, ResizeMode.CROP, null,
                ImageReading.DEFAULT_MAX_PIXELS));
        assertThat(in.tensor().shape()).containsExactly(1, 3, 224, 224);
        float[] data = in.tensor().data();
        for (float v : data) {
            assertThat(v).isEqualTo(77f);
        }
    }

    @Test
    void aTallImageStretchedReadsEveryRowInTheCheaperOrderWithTheSameResult() {
        int n = 3_000_000; // rows first would hold n x 3 values, columns first 2 x 1
        BufferedImage tall = new BufferedImage(1, n, BufferedImage.TYPE_INT_RGB);
        BufferedImage wide = new BufferedImage(n, 1, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < n; i++) {
            int rgb = i < n / 3 ? 0x102030 : 0x90a0b0;
            tall.setRGB(0, i, rgb);
            wide.setRGB(i, 0, rgb);
        }
        BufferedImage fromTall = ImageInput.resize(tall, 3, 2, ResizeMode.STRETCH);
        BufferedImage fromWide = ImageInput.resize(wide, 2, 3, ResizeMode.STRETCH);
        for (int x = 0; x < 3; x++) {
            for (int y = 0; y < 2; y++) {
                assertThat(fromTall.getRGB(x, y)).as("(%d, %d)", x, y).isEqualTo(fromWide.getRGB(y, x));
            }
        }
        int top = fromTall.getRGB(0, 0) & 0xff;
        int bottom = fromTall.getRGB(0, 1) & 0xff;
        assertThat(top).isBetween(0x30 + 1, 0xb0 - 1); // a blend, mostly of the dark third
        assertThat(bottom).isGreaterThan(top).isLessThanOrEqualTo(0xb0);
        assertThat(fromTall.getRGB(1, 0)).isEqualTo(fromTall.getRGB(0, 0));
    }

    @Test
    void anAbsurdInputSizeIsOneLineNamingTheOption() throws Exception {
        Path png = dir.resolve("small.png");
        javax.imageio.ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        OnnxModel model = model(1, 3, -1, -1);
        assertThatThrownBy(() -> ImageInput.load(png, model, new ImageInput.Options(Preprocessing.RAW,
                ResizeMode.CROP, new int[] {50000, 50000}, ImageReading.DEFAULT_MAX_PIXELS)))
                .isInstanceOf(BadInputException.class)
                .hasMessage("--input-size 50000x50000: an input of 50000x50000 pixels needs 30000000000 bytes of "
                        + "float32, more than the 2147483647 an input tensor may take");
        assertThatThrownBy(() -> ImageInput.load(png, model, new ImageInput.Options(Preprocessing.RAW,
                ResizeMode.CROP, new int[] {23000, 8000}, ImageReading.DEFAULT_MAX_PIXELS)))
                .hasMessageStartingWith("--input-size 23000x8000: an input of 23000x8000 pixels needs 2208000000 bytes");
    }

    private static OnnxModel model(long... dims) {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", dims);
        b.output(b.node("Identity", List.of(x)));
        return b.load();
    }

    /** A 1-pixel-wide 8-bit gray PNG written chunk by chunk (ImageIO would need the whole raster). */
    private Path tallGrayPng(int height, java.util.function.IntUnaryOperator gray) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9), 1 << 16)) {
            byte[] rows = new byte[2 * 4096];
            for (int y0 = 0; y0 < height; y0 += 4096) {
                int n = Math.min(4096, height - y0);
                for (int k = 0; k < n; k++) {
                    rows[2 * k] = 0; // filter: none
                    rows[2 * k + 1] = (byte) gray.applyAsInt(y0 + k);
                }
                z.write(rows, 0, 2 * n);
            }
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(file);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(1);
        h.writeInt(height);
        h.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit gray, deflate, adaptive filtering, no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        Path png = dir.resolve("tall.png");
        Files.write(png, file.toByteArray());
        return png;
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        out.writeInt((int) crc.getValue());
    }
}
