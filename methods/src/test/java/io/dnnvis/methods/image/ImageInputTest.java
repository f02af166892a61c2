package io.dnnvis.methods.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.dnnvis.methods.Predictions;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.BadInputException;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageInputTest {

    @TempDir
    Path dir;

    @Test
    void presetsGiveTheHandComputedValues() {
        float[] rgb = {255, 128, 0};
        assertThat(Preprocessing.UNIT.apply(rgb, 0)).isEqualTo(1f);
        assertThat(Preprocessing.UNIT.apply(rgb, 1)).isCloseTo(128 / 255f, offset(1e-7f));
        assertThat(Preprocessing.IMAGENET.apply(rgb, 0)).isCloseTo((1f - 0.485f) / 0.229f, offset(1e-5f));
        assertThat(Preprocessing.IMAGENET.apply(rgb, 2)).isCloseTo((0f - 0.406f) / 0.225f, offset(1e-5f));
        // caffe: channel 0 is blue, minus the BGR means, in 0..255
        assertThat(Preprocessing.CAFFE.apply(rgb, 0)).isCloseTo(0f - 103.939f, offset(1e-4f));
        assertThat(Preprocessing.CAFFE.apply(rgb, 2)).isCloseTo(255f - 123.68f, offset(1e-4f));
        assertThat(Preprocessing.INCEPTION.apply(rgb, 0)).isEqualTo(1f);
        assertThat(Preprocessing.INCEPTION.apply(rgb, 2)).isEqualTo(-1f);
        assertThat(Preprocessing.RAW.apply(rgb, 1)).isEqualTo(128f);
    }

    @Test
    void metadataDescribesThePreset() {
        OnnxModel glyph = OnnxModel.load(TestData.glyphNet());
        assertThat(Preprocessing.fromMetadata(glyph.metadata())).contains(Preprocessing.UNIT);
        assertThat(Preprocessing.fromMetadata(Map.of("preprocessing", "caffe"))).contains(Preprocessing.CAFFE);
        assertThat(Preprocessing.fromMetadata(Map.of("input", "RGB scaled to [-1, 1]")))
                .contains(Preprocessing.INCEPTION);
        assertThat(Preprocessing.fromMetadata(Map.of())).isEmpty();
    }

    @Test
    void cropTakesTheCentreOfTheShorterSide() {
        // 40x20: left half red, right half blue, with a green 10-column band in the middle
        BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, x < 15 ? 0xff0000 : x < 25 ? 0x00ff00 : 0x0000ff);
            }
        }
        BufferedImage crop = ImageInput.resize(img, 20, 20, ResizeMode.CROP);
        assertThat(crop.getRGB(10, 10) & 0xffffff).isEqualTo(0x00ff00);
        assertThat(crop.getRGB(0, 10) & 0xffffff).isEqualTo(0xff0000);
        assertThat(crop.getRGB(19, 10) & 0xffffff).isEqualTo(0x0000ff);
        BufferedImage fit = ImageInput.resize(img, 20, 20, ResizeMode.FIT);
        // 40x20 fits as 20x10, centred: rows 0..4 and 15..19 are padding
        assertThat(fit.getRGB(10, 2) & 0xffffff).isZero();
        assertThat(fit.getRGB(10, 17) & 0xffffff).isZero();
        assertThat(fit.getRGB(10, 10) & 0xffffff).isEqualTo(0x00ff00);
        assertThat(fit.getRGB(0, 10) & 0xffffff).isEqualTo(0xff0000);
        BufferedImage stretch = ImageInput.resize(img, 20, 20, ResizeMode.STRETCH);
        assertThat(stretch.getRGB(2, 2) & 0xffffff).isEqualTo(0xff0000);
        assertThat(stretch.getRGB(17, 17) & 0xffffff).isEqualTo(0x0000ff);
    }

    @Test
    void shrinkingAveragesEveryPixel() {
        // a one-pixel checkerboard shrunk 4x is uniform mid-gray (no aliasing)
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, (x + y) % 2 == 0 ? 0xffffff : 0);
            }
        }
        BufferedImage small = ImageInput.resize(img, 16, 16, ResizeMode.STRETCH);
        for (int y = 1; y < 15; y++) {
            for (int x = 1; x < 15; x++) {
                assertThat(small.getRGB(x, y) & 0xff).isBetween(120, 135);
            }
        }
    }

    @Test
    void glyphNetReadsEveryBundledLetter() throws Exception {
        OnnxModel model = OnnxModel.load(TestData.glyphNet());
        try (Tracer tracer = Tracer.open(model)) {
            for (String letter : List.of("A", "K", "Q", "R", "W", "X")) {
                ImageInput in = ImageInput.load(TestData.file("images/glyphs/" + letter + ".png"), model,
                        ImageInput.Options.defaults());
                assertThat(in.preprocessing()).isEqualTo(Preprocessing.UNIT);
                assertThat(in.notice()).isEmpty();
                assertThat(in.tensor().shape()).containsExactly(1, 3, 64, 64);
                TensorValue logits = tracer.run(in.tensor()).get("logits");
                assertThat(Predictions.top(model, logits, 1).get(0).label()).isEqualTo(letter);
            }
        }
    }

    @Test
    void nhwcModelsGetChannelsLast() throws Exception {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 8, 8, 3);
        b.output(b.node("Identity", List.of(x)));
        OnnxModel model = b.load();
        Path png = dir.resolve("p.png");
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 2, 0x336699);
        ImageIO.write(img, "png", png.toFile());
        ImageInput in = ImageInput.load(png, model,
                new ImageInput.Options(Preprocessing.RAW, ResizeMode.CROP, null, 1000));
        assertThat(in.tensor().shape()).containsExactly(1, 8, 8, 3);
        assertThat(in.notice()).isEmpty();
        float[] t = in.tensor().data();
        int at = (2 * 8 + 3) * 3;
        assertThat(new float[] {t[at], t[at + 1], t[at + 2]}).containsExactly(0x33, 0x66, 0x99);
    }

    @Test
    void unknownInputsAssumeImagenetAndSaySo() throws Exception {
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        Path png = dir.resolve("g.png");
        ImageIO.write(new BufferedImage(50, 40, BufferedImage.TYPE_BYTE_GRAY), "png", png.toFile());
        ImageInput in = ImageInput.load(png, model, ImageInput.Options.defaults());
        assertThat(in.preprocessing()).isEqualTo(Preprocessing.IMAGENET);
        assertThat(in.notice()).contains("assuming --preprocess imagenet");
        assertThat(in.tensor().shape()).containsExactly(1, 3, 32, 32);
        assertThat(in.tensor().data()[0]).isCloseTo(-0.485f / 0.229f, offset(1e-5f));
    }

    @ParameterizedTest
    @ValueSource(strings = {"empty", "text", "truncated"})
    void brokenImagesAreOneLineErrors(String kind) throws Exception {
        Path file = dir.resolve(kind + ".png");
        byte[] good;
        try (var out = new java.io.ByteArrayOutputStream()) {
            ImageIO.write(new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB), "png", out);
            good = out.toByteArray();
        }
        switch (kind) {
            case "empty" -> Files.write(file, new byte[0]);
            case "text" -> Files.writeString(file, "not an image");
            default -> Files.write(file, java.util.Arrays.copyOf(good, good.length / 2));
        }
        OnnxModel model = OnnxModel.load(TestData.glyphNet());
        assertThatThrownBy(() -> ImageInput.load(file, model, ImageInput.Options.defaults()))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(file + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void sixteenBitGrayAndPalettePngsAreRead() throws Exception {
        OnnxModel model = OnnxModel.load(TestData.glyphNet());
        BufferedImage gray16 = new BufferedImage(64, 64, BufferedImage.TYPE_USHORT_GRAY);
        gray16.getRaster().setSample(5, 7, 0, 65535);
        Path g = dir.resolve("gray16.png");
        ImageIO.write(gray16, "png", g.toFile());
        float[] t = ImageInput.load(g, model, ImageInput.Options.defaults()).tensor().data();
        assertThat(t[7 * 64 + 5]).isEqualTo(1f);
        assertThat(t[2 * 64 * 64 + 7 * 64 + 5]).isEqualTo(1f);
        assertThat(t[0]).isZero();
        BufferedImage palette = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_INDEXED);
        palette.setRGB(1, 2, 0xff0000);
        Path p = dir.resolve("palette.png");
        ImageIO.write(palette, "png", p.toFile());
        float[] q = ImageInput.load(p, model, ImageInput.Options.defaults()).tensor().data();
        assertThat(new float[] {q[2 * 64 + 1], q[64 * 64 + 2 * 64 + 1], q[2 * 64 * 64 + 2 * 64 + 1]})
                .containsExactly(1f, 0f, 0f);
    }

    @Test
    void imagesAboveThePixelLimitAreRefusedBeforeDecoding() throws Exception {
        Path png = dir.resolve("big.png");
        ImageIO.write(new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        OnnxModel model = OnnxModel.load(TestData.glyphNet());
        assertThatThrownBy(() -> ImageInput.load(png, model,
                new ImageInput.Options(null, ResizeMode.CROP, null, 50_000)))
                .isInstanceOf(BadInputException.class)
                .hasMessage(png + ": image of 300x200 pixels is larger than the limit of 50000 pixels");
    }
}
