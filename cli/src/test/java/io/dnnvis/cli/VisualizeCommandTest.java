package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.Manifest;
import io.dnnvis.testdata.TestData;
import io.dnnvis.testdata.Tolerance;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The acceptance command for every reference case, and the command's errors. */
class VisualizeCommandTest {

    @TempDir
    Path dir;

    static Stream<Manifest.ReferenceCase> cases() {
        return TestData.manifest().casesOf("deconvnet", "salinet", "desalinet").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void savesTheReferenceReconstruction(Manifest.ReferenceCase c) {
        Path out = dir.resolve("out.npy");
        List<String> args = new ArrayList<>(List.of("visualize", c.model().toString(), "--input-npy",
                c.input().toString(), "--layer", c.layer().tensor(), "--method", c.method(), "--neuron",
                Integer.toString(c.channel().orElseThrow()), "--start", c.start(), "--pooling", c.pooling(),
                "--save-npy", out.toString()));
        c.yx().ifPresent(p -> args.addAll(List.of("--yx", p[0] + "," + p[1])));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.code()).as(run.err()).isZero();
        float[] got = Npy.read(out, "out").data();
        float[] expected = Npy.read(c.expected(), "expected").data();
        assertThat(Tolerance.errorAgainst(got, expected)).as(c.id()).isLessThanOrEqualTo(1e-4);
        boolean allZero = true;
        for (float v : expected) {
            allZero &= v == 0f;
        }
        assertThat(run.err().contains("the reconstruction is all zeros")).as(c.id()).isEqualTo(allZero);
    }

    @Test
    void methodAllWritesOneFilePerMethodAndOneFigure() throws Exception {
        CliRun run = CliRun.of("visualize", TestData.referenceModel("lenet").toString(), "--input-npy",
                TestData.referenceInput("lenet").toString(), "--layer", "conv2", "--method", "all", "--neuron", "5,11",
                "--save-npy", dir.resolve("r.npy").toString(), "-o", dir.resolve("png").toString());
        assertThat(run.code()).as(run.err()).isZero();
        for (String m : List.of("deconvnet", "salinet", "desalinet")) {
            TensorValue t = Npy.read(dir.resolve("r-" + m + ".npy"), "r");
            assertThat(t.shape()).containsExactly(2, 3, 32, 32);
        }
        BufferedImage figure = ImageIO.read(dir.resolve("png/all_conv2.png").toFile());
        assertThat(figure.getWidth()).isGreaterThan(4 * 128);
        assertThat(figure.getHeight()).isGreaterThan(2 * 128);
        assertThat(run.out()).contains("wrote " + dir.resolve("png/all_conv2.png"));
    }

    @Test
    void singleMethodPicturesAreGrayAroundZero() throws Exception {
        CliRun run = CliRun.of("visualize", TestData.referenceModel("lenet").toString(), "--input-npy",
                TestData.referenceInput("lenet").toString(), "--layer", "gemm1", "--method", "salinet", "--neuron", "7",
                "-o", dir.toString());
        assertThat(run.code()).as(run.err()).isZero();
        BufferedImage img = ImageIO.read(dir.resolve("salinet_gemm1_n7.png").toFile());
        assertThat(img.getWidth()).isEqualTo(7 * 32); // enlarged to 224, a colour bar under it
        float[] expected = Npy.read(TestData.file("reference/expected/lenet-06-salinet.npy"), "e").data();
        int maxAt = 0;
        for (int k = 1; k < expected.length; k++) {
            if (Math.abs(expected[k]) > Math.abs(expected[maxAt])) {
                maxAt = k;
            }
        }
        int channel = maxAt / 1024;
        int y = (maxAt % 1024) / 32;
        int x = maxAt % 32;
        int rgb = img.getRGB(7 * x + 3, 7 * y + 3);
        int level = (rgb >> (16 - 8 * channel)) & 0xff;
        assertThat(level).isEqualTo(expected[maxAt] > 0 ? 255 : 0);
    }

    @Test
    void userErrorsExitTwoWithOneLine() throws Exception {
        String model = TestData.referenceModel("lenet").toString();
        String input = TestData.referenceInput("lenet").toString();
        String out = dir.resolve("o.npy").toString();
        assertBadInput(CliRun.of("visualize", model, "--input-npy", input, "--layer", "conv2", "--neuron", "16",
                "--save-npy", out), "neuron 16 does not exist in layer 'conv2' (channels 0..15)");
        assertBadInput(CliRun.of("visualize", model, "--input-npy", input, "--layer", "conv9", "--neuron", "1",
                "--save-npy", out), "no layer 'conv9'");
        assertBadInput(CliRun.of("visualize", model, "--input-npy", "nope.npy", "--layer", "conv2", "--neuron", "1",
                "--save-npy", out), "nope.npy: file not found");
        assertBadInput(CliRun.of("visualize", model, "--input-npy", input, "--layer", "conv2", "--neuron", "1"),
                "nothing to write");
        assertBadInput(CliRun.of("visualize", model, "--input-npy", input, "--layer", "conv2", "--neuron", "1",
                "--pooling", "median", "--save-npy", out), "unknown pooling 'median'");
        assertBadInput(CliRun.of("visualize", model, "--input-npy", input, "--layer", "conv2", "--neuron", "1",
                "--yx", "10,0", "--save-npy", out), "position 10,0 is outside layer 'conv2'");
        Path copy = dir.resolve("input.npy");
        Files.copy(TestData.referenceInput("lenet"), copy);
        byte[] before = Files.readAllBytes(copy);
        assertBadInput(CliRun.of("visualize", model, "--input-npy", copy.toString(), "--layer", "conv2", "--neuron",
                "1", "--save-npy", copy.toString()), "output would overwrite an input file");
        assertThat(Files.readAllBytes(copy)).isEqualTo(before);
        Path missingFolder = dir.resolve("no/such/o.npy");
        assertBadInput(CliRun.of("visualize", model, "--input-npy", input, "--layer", "conv2", "--neuron", "1",
                "--save-npy", missingFolder.toString()), "does not exist");
        // a .npy named like a picture in the -o folder could be overwritten by that picture: refused, by every
        // command that writes both
        Path pictures = dir.resolve("pictures");
        String clash = pictures.resolve("salinet_conv2_n1.png").toString();
        assertBadInput(CliRun.of("visualize", model, "--input-npy", input, "--layer", "conv2", "--neuron", "1",
                "--method", "salinet", "-o", pictures.toString(), "--save-npy", clash), "where the pictures go");
        assertBadInput(CliRun.of("explain", model, "--input-npy", input, "--method", "saliency", "-o",
                pictures.toString(), "--save-npy", clash), "where the pictures go");
        assertBadInput(CliRun.of("occlusion", model, "--input-npy", input, "--layer", "conv2", "--window", "5",
                "--stride", "4", "-o", pictures.toString(), "--save-npy", clash), "where the pictures go");
        assertThat(pictures).doesNotExist();
    }

    /** ConvNeXt's Linear layers hold their channels last: --neuron there is refused, after the block it runs. */
    @Test
    void neuronsOfALayerWithItsChannelsLastAreRefused() {
        String model = TestData.file("conformance/models/convnext_mini_op17.onnx").toString();
        String input = TestData.file("conformance/inputs/convnext_mini.npy").toString();
        Path out = dir.resolve("v.npy");
        assertBadInput(CliRun.of("visualize", model, "--input-npy", input, "--layer", "matmul1", "--neuron", "1",
                "--method", "salinet", "--save-npy", out.toString()), "holds the image's rows and columns on axes 1 and 2");
        assertThat(out).doesNotExist();
        CliRun after = CliRun.of("visualize", model, "--input-npy", input, "--layer", "transpose4", "--neuron", "1",
                "--method", "salinet", "--save-npy", out.toString());
        assertThat(after.code()).as(after.err()).isZero();
    }

    private static void assertBadInput(CliRun run, String message) {
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err()).contains(message);
        assertThat(run.out()).as("refused before the prediction is printed").isEmpty();
    }
}
