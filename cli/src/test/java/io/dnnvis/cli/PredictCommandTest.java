package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.testdata.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {

    @TempDir
    Path dir;

    @Test
    void glyphNetReadsTheLetterR() throws Exception {
        CliRun run = CliRun.of("predict", TestData.glyphNet().toString(), "--image",
                TestData.file("images/glyphs/R.png").toString(), "--top", "3", "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode p = new ObjectMapper().readTree(run.out()).get("predictions");
        assertThat(p).hasSize(3);
        assertThat(p.get(0).get("label").asText()).isEqualTo("R");
        assertThat(p.get(0).get("index").asInt()).isEqualTo(17);
        assertThat(p.get(0).get("probability").asDouble()).isGreaterThan(p.get(1).get("probability").asDouble());
        for (JsonNode one : p) {
            List<String> keys = new ArrayList<>();
            one.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactly("index", "label", "score", "probability");
            assertThat(one.get("score").isNumber()).isTrue();
        }
        assertThat(p.get(0).get("score").asDouble()).isGreaterThan(p.get(1).get("score").asDouble());
        assertThat(run.err()).isEmpty();
    }

    @Test
    void visualizeTopNeuronsFromAnImagePrintsThePredictionFirst() throws Exception {
        CliRun run = CliRun.of("visualize", TestData.glyphNet().toString(), "--image",
                TestData.file("images/glyphs/K.png").toString(), "--layer", "conv4", "--neuron", "top:2",
                "--method", "all", "-o", dir.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("prediction:").contains("  K ");
        assertThat(run.out().indexOf("prediction:")).isLessThan(run.out().indexOf("deconvnet conv4"));
        BufferedImage figure = ImageIO.read(dir.resolve("all_conv4.png").toFile());
        assertThat(figure.getHeight()).isLessThan(3 * 140 + 60);
    }

    @Test
    void heatmapPicturesAreOverlaysOnTheImage() throws Exception {
        CliRun run = CliRun.of("visualize", TestData.glyphNet().toString(), "--image",
                TestData.file("images/glyphs/X.png").toString(), "--layer", "conv2", "--neuron", "3",
                "--method", "desalinet", "--heatmap", "--alpha", "0", "-o", dir.toString());
        assertThat(run.code()).as(run.err()).isZero();
        BufferedImage overlay = ImageIO.read(dir.resolve("desalinet_conv2_n3_heatmap.png").toFile());
        BufferedImage letter = ImageIO.read(TestData.file("images/glyphs/X.png").toFile());
        // alpha 0: the overlay is the input itself, enlarged 4x
        for (int[] p : new int[][] {{0, 0}, {32, 32}, {50, 10}}) {
            assertThat(overlay.getRGB(4 * p[0] + 1, 4 * p[1] + 2) & 0xffffff)
                    .isEqualTo(letter.getRGB(p[0], p[1]) & 0xffffff);
        }
    }

    @Test
    void occlusionOfAnImagePrintsThePredictionAndWritesTheComposite() throws Exception {
        CliRun run = CliRun.of("occlusion", TestData.glyphNet().toString(), "--image",
                TestData.file("images/glyphs/A.png").toString(), "--target", "class:A", "--window", "15", "--stride",
                "8", "-q", "-o", dir.toString(), "--save-npy", dir.resolve("a.npy").toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("prediction:").contains("  A ");
        assertThat(io.dnnvis.trace.Npy.read(dir.resolve("a.npy"), "a").shape()).containsExactly(64, 64);
        assertThat(ImageIO.read(dir.resolve("occlusion_class_A_composite.png").toFile()).getWidth()).isEqualTo(4 * 64);
    }

    @Test
    void imageErrorsExitTwoWithOneLine() throws Exception {
        Path broken = dir.resolve("broken.png");
        Files.writeString(broken, "no image here");
        CliRun run = CliRun.of("predict", TestData.glyphNet().toString(), "--image", broken.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err()).startsWith("error: " + broken + ": ");
        CliRun both = CliRun.of("predict", TestData.glyphNet().toString(), "--image", broken.toString(),
                "--input-npy", broken.toString());
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.oneErrorLine()).as(both.err()).isTrue();
        CliRun preset = CliRun.of("predict", TestData.glyphNet().toString(), "--image",
                TestData.file("images/glyphs/R.png").toString(), "--preprocess", "vgg");
        assertThat(preset.code()).isEqualTo(2);
        assertThat(preset.err()).contains("unknown preprocessing 'vgg'");
    }
}
