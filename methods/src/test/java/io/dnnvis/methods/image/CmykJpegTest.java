package io.dnnvis.methods.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CMYK and YCCK JPEGs (testdata/images/cmyk, made by testdata/scripts/make_cmyk_jpeg.py and
 * MakeYcckJpeg.java): twelve 8x8 blocks of known CMYK colours, read as RGB.
 */
class CmykJpegTest {

    /** The blocks' (C, M, Y, K), row by row, four per row: make_cmyk_jpeg.py's BLOCKS. */
    private static final int[][] BLOCKS = {
        {0, 0, 0, 0}, {255, 0, 0, 0}, {0, 255, 0, 0}, {0, 0, 255, 0},
        {0, 0, 0, 255}, {0, 255, 255, 0}, {0, 0, 0, 128}, {255, 255, 0, 0},
        {128, 0, 0, 0}, {0, 0, 0, 64}, {0, 128, 255, 0}, {255, 0, 0, 128},
    };

    /** The same colours as RGB by R = (255 - C)(255 - K) / 255, written out by hand. */
    private static final int[] EXPECTED_RGB = {
        0xffffff, 0x00ffff, 0xff00ff, 0xffff00,
        0x000000, 0xff0000, 0x7f7f7f, 0x0000ff,
        0x7fffff, 0xbfbfbf, 0xff7f00, 0x007f7f,
    };

    @TempDir
    Path dir;

    @Test
    void theFormulaGivesTheHandComputedColours() {
        for (int i = 0; i < BLOCKS.length; i++) {
            int[] b = BLOCKS[i];
            int rgb = CmykJpeg.channel(b[0], b[3]) << 16 | CmykJpeg.channel(b[1], b[3]) << 8
                    | CmykJpeg.channel(b[2], b[3]);
            assertThat(rgb).as("block %d %s", i, Arrays.toString(b)).isEqualTo(EXPECTED_RGB[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cmyk-adobe.jpg", "cmyk-plain.jpg", "ycck-adobe.jpg"})
    void everyBlockHasItsColour(String name) {
        BufferedImage image = ImageReading.read(TestData.file("images/cmyk/" + name), ImageReading.DEFAULT_MAX_PIXELS);
        assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(image.getWidth()).isEqualTo(32);
        assertThat(image.getHeight()).isEqualTo(24);
        // one-colour blocks on the DCT grid lose next to nothing (measured: 0 for CMYK, 1 for YCCK);
        // ImageIO's own CMYK conversion would give 0xbbbbbb for block 6, not 0x7f7f7f
        int tolerance = 2;
        for (int i = 0; i < EXPECTED_RGB.length; i++) {
            int left = (i % 4) * 8;
            int top = (i / 4) * 8;
            for (int y = top; y < top + 8; y++) {
                for (int x = left; x < left + 8; x++) {
                    int got = image.getRGB(x, y);
                    for (int shift = 16; shift >= 0; shift -= 8) {
                        int want = (EXPECTED_RGB[i] >> shift) & 0xff;
                        assertThat((got >> shift) & 0xff).as("%s block %d pixel (%d, %d) shift %d", name, i, x, y, shift)
                                .isCloseTo(want, org.assertj.core.data.Offset.offset(tolerance));
                    }
                }
            }
        }
    }

    @Test
    void theHeaderTellsCmykFromYcckAndAdobeFromPlain() throws Exception {
        assertThat(JpegHeader.read(TestData.file("images/cmyk/cmyk-adobe.jpg"))).contains(new JpegHeader(4, 0));
        assertThat(JpegHeader.read(TestData.file("images/cmyk/cmyk-plain.jpg"))).contains(new JpegHeader(4, -1));
        assertThat(JpegHeader.read(TestData.file("images/cmyk/ycck-adobe.jpg"))).contains(new JpegHeader(4, 2));
        Path rgb = dir.resolve("rgb.jpg");
        ImageIO.write(new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB), "jpeg", rgb.toFile());
        assertThat(JpegHeader.read(rgb)).map(JpegHeader::components).contains(3);
        assertThat(JpegHeader.read(TestData.file("images/glyphs/A.png"))).isEmpty();
        byte[] cmyk = Files.readAllBytes(TestData.file("images/cmyk/cmyk-adobe.jpg"));
        Path cut = dir.resolve("cut.jpg");
        Files.write(cut, Arrays.copyOf(cmyk, 40)); // inside the quantization table: no frame header yet
        assertThat(JpegHeader.read(cut)).isEmpty();
    }

    @Test
    void aCmykJpegIsAModelInputWithTheRgbValues() throws Exception {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 24, 32);
        b.output(b.node("Identity", List.of(x)));
        OnnxModel model = b.load();
        ImageInput in = ImageInput.load(TestData.file("images/cmyk/cmyk-adobe.jpg"), model,
                new ImageInput.Options(Preprocessing.RAW, ResizeMode.CROP, null, 1000));
        assertThat(in.tensor().shape()).containsExactly(1, 3, 24, 32);
        float[] t = in.tensor().data();
        int plane = 24 * 32;
        int at = 12 * 32 + 20; // block 6 (row 1, column 2): K 128, gray 127
        assertThat(new float[] {t[at], t[plane + at], t[2 * plane + at]})
                .containsExactly(127f, 127f, 127f);
        at = 4 * 32 + 20; // block 2 (row 0, column 2): magenta
        assertThat(t[at]).isGreaterThan(250f);
        assertThat(t[plane + at]).isLessThan(5f);
    }
}
