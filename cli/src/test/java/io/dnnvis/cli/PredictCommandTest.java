package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.testdata.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
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
