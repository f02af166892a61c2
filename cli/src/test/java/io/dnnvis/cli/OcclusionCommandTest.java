package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.render.Images;
import io.dnnvis.testdata.Manifest;
import io.dnnvis.testdata.TestData;
import io.dnnvis.testdata.Tolerance;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The acceptance command for every occlusion case, the pictures, and the command's errors. */
class OcclusionCommandTest {

    private static final String LENET = TestData.referenceModel("lenet").toString();
    private static final String LENET_INPUT = TestData.referenceInput("lenet").toString();

    @TempDir
    Path dir;

    static Stream<Manifest.ReferenceCase> cases() {
        return TestData.manifest().casesOf("occlusion").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void savesTheReferenceOcclusion(Manifest.ReferenceCase c) {
        Path out = dir.resolve("out.npy");
        CliRun run = CliRun.of("occlusion", c.model().toString(), "--input-npy", c.input().toString(), "--layer",
                c.layer().tensor(), "--window", c.window().orElseThrow().toString(), "--stride",
                c.stride().orElseThrow().toString(), "--save-npy", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("layer occlusion of " + c.layer().alias()).contains("wrote " + out);
        TensorValue got = Npy.read(out, "out");
        TensorValue expected = Npy.read(c.expected(), "expected");
        assertThat(got.shape()).containsExactly(expected.shape());
        assertThat(Tolerance.errorAgainst(got.data(), expected.data())).as(c.id()).isLessThanOrEqualTo(1e-4);
    }

    /** A stride above the window leaves pixels without a value: NaN in the map, and a note says how many. */
    @Test
    void pixelsUnderNoWindowAreNaNAndCounted() throws Exception {
        Path out = dir.resolve("gaps.npy");
        CliRun run = CliRun.of("occlusion", LENET, "--input-npy", LENET_INPUT, "--target", "class:3", "--window", "3",
                "--stride", "5", "-q", "--save-npy", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        long nan = 0;
        for (float v : Npy.read(out, "s").data()) {
            nan += Float.isNaN(v) ? 1 : 0;
        }
        // windows of 3 centred every 5 pixels from 0: centres 0, 5, ..., 30; the first covers rows 0-1, the
        // six others 3 rows each: 20 of the 32 rows (and columns) are covered
        assertThat(nan).isEqualTo(32 * 32 - 20 * 20);
        assertThat(run.err()).contains("note: " + nan + " of the 1024 pixels are under no window");
    }

    /** An --input-npy that cannot be the input: the error names that file, not the model. */
    @Test
    void anInputNpyWithANaNOrAnAxisMissingIsNamed() throws Exception {
        TensorValue input = Npy.read(Path.of(LENET_INPUT), "x");
        float[] values = input.data();
        values[7] = Float.NaN;
        Path nan = dir.resolve("nan.npy");
        Files.write(nan, Npy.toBytes(new TensorValue("x", input.shape(), values)));
        long[] shape = input.shape();
        Path rank3 = dir.resolve("rank3.npy");
        Files.write(rank3, Npy.toBytes(new TensorValue("x", java.util.Arrays.copyOfRange(shape, 1, shape.length),
                input.data())));
        for (Path bad : List.of(nan, rank3)) {
            CliRun run = CliRun.of("occlusion", LENET, "--input-npy", bad.toString(), "--layer", "conv2", "--window",
                    "5", "--stride", "4", "--save-npy", dir.resolve("o.npy").toString());
            assertThat(run.code()).as(run.err()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err()).startsWith("error: " + bad);
        }
    }

    @Test
    void layerOcclusionDrawsTheFourStrongestChannelsByDefault() throws Exception {
        Path png = dir.resolve("png");
        CliRun run = CliRun.of("occlusion", LENET, "--input-npy", LENET_INPUT, "--layer", "conv2", "--window", "5",
                "--stride", "4", "--fill", "zero", "--cmap", "viridis", "-o", png.toString(), "--save-npy",
                dir.resolve("o.npy").toString(), "--quiet");
        assertThat(run.code()).as(run.err()).isZero();
        float[] values = Npy.read(dir.resolve("o.npy"), "o").data();
        int strongest = 0;
        double best = -1;
        for (int c = 0; c < 16; c++) {
            double s = 0;
            for (int p = c * 64; p < (c + 1) * 64; p++) {
                s += values[p] * (double) values[p];
            }
            if (s > best) {
                best = s;
                strongest = c;
            }
        }
        List<String> written;
        try (Stream<Path> files = Files.list(png)) {
            written = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(written).hasSize(8).contains("occlusion_conv2_c" + strongest + "_heatmap.png",
                "occlusion_conv2_c" + strongest + "_composite.png");
        BufferedImage heat = ImageIO.read(png.resolve("occlusion_conv2_c" + strongest + "_heatmap.png").toFile());
        // 32x32 enlarged 7x to 224, a colour bar under it
        assertThat(heat.getWidth()).isEqualTo(224);
        assertThat(heat.getHeight()).isEqualTo(224 + io.dnnvis.methods.render.ColorBar.HEIGHT);
    }

    @Test
    void chosenChannelsAndAlphaZeroCompositesShowTheInput() throws Exception {
        CliRun run = CliRun.of("occlusion", LENET, "--input-npy", LENET_INPUT, "--layer", "conv2", "--window", "5",
                "--stride", "4", "--channel", "3,5", "--alpha", "0", "-o", dir.toString());
        assertThat(run.code()).as(run.err()).isZero();
        List<String> written;
        try (Stream<Path> files = Files.list(dir)) {
            written = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(written).containsExactly("occlusion_conv2_c3_composite.png", "occlusion_conv2_c3_heatmap.png",
                "occlusion_conv2_c5_composite.png", "occlusion_conv2_c5_heatmap.png");
        TensorValue input = Npy.read(Path.of(LENET_INPUT), "input");
        BufferedImage picture = Images.minMax(input.data(), 3, 32, 32);
        BufferedImage composite = ImageIO.read(dir.resolve("occlusion_conv2_c5_composite.png").toFile());
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                assertThat(composite.getRGB(7 * x + 3, 7 * y + 3) & 0xffffff).isEqualTo(picture.getRGB(x, y) & 0xffffff);
            }
        }
    }

    @Test
    void scoreOcclusionWritesAnImageSizedMapAndOneHeatMapPair() throws Exception {
        Path out = dir.resolve("s.npy");
        CliRun run = CliRun.of("occlusion", LENET, "--input-npy", LENET_INPUT, "--target", "class:3", "--window", "7",
                "--stride", "4", "--batch", "5", "--absolute", "-o", dir.toString(), "--save-npy", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("score occlusion of class:3").contains("64 windows").contains("batch 5");
        TensorValue map = Npy.read(out, "s");
        assertThat(map.shape()).containsExactly(32, 32);
        float max = 0;
        for (float v : map.data()) {
            assertThat(v).isNotNaN();
            max = Math.max(max, Math.abs(v));
        }
        assertThat(max).isPositive();
        assertThat(run.err()).doesNotContain("under no window");
        assertThat(dir.resolve("occlusion_class_3_heatmap.png")).exists();
        assertThat(dir.resolve("occlusion_class_3_composite.png")).exists();
        CliRun neuron = CliRun.of("occlusion", LENET, "--input-npy", LENET_INPUT, "--layer", "conv2", "--target",
                "neuron:5,4,6", "--window", "7", "--stride", "4", "-o", dir.toString());
        assertThat(neuron.code()).as(neuron.err()).isZero();
        assertThat(dir.resolve("occlusion_conv2_n5_y4_x6_heatmap.png")).exists();
    }

    @Test
    void aBatchAboveTheMemoryBudgetRunsWhatFitsWithOneNote() throws Exception {
        Path big = dir.resolve("big.npy");
        CliRun run = run("--layer", "conv2", "--window", "5", "--stride", "4", "--batch", "1000000", "--quiet",
                "--memory-cap", "" + (1L << 30), "--save-npy", big.toString());
        assertThat(run.code()).as(run.err()).isZero();
        // LeNet to conv2 takes about 93824 bytes per occluded image (BatchPlanTest): 11444 fit in 1 GiB
        assertThat(run.err()).isEqualTo("note: --batch 1000000 is more than fits in memory (about 92 KiB per occluded"
                + " image); running 11444 images per run" + System.lineSeparator());
        assertThat(run.out()).contains("64 windows (8x8) of 5x5, stride 4, fill mean, batch 11444 in ");
        Path small = dir.resolve("small.npy");
        CliRun five = run("--layer", "conv2", "--window", "5", "--stride", "4", "--batch", "5", "--quiet",
                "--save-npy", small.toString());
        assertThat(five.code()).as(five.err()).isZero();
        assertThat(five.err()).isEmpty();
        assertThat(Npy.read(big, "big").data()).containsExactly(Npy.read(small, "small").data());
        assertThat(OcclusionCommand.size(93824)).isEqualTo("92 KiB");
        assertThat(OcclusionCommand.size(3L << 20)).isEqualTo("3.0 MiB");
    }

    @Test
    void userErrorsExitTwoWithOneLine() throws Exception {
        String out = dir.resolve("o.npy").toString();
        assertBadInput(run("--layer", "conv2", "--window", "4", "--stride", "2", "--save-npy", out),
                "--window: must be odd and positive, got 4");
        assertBadInput(run("--layer", "conv2", "--window", "-5", "--stride", "2", "--save-npy", out),
                "--window: must be odd and positive, got -5");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "0", "--save-npy", out),
                "--stride: must be positive, got 0");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2", "--batch", "0", "--save-npy", out),
                "--batch: must be positive, got 0");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2"), "nothing to write");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2", "--fill", "median", "--save-npy", out),
                "unknown fill 'median'");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2", "--target", "logit:3", "--save-npy",
                out), "target 'logit:3' is not");
        assertBadInput(run("--window", "5", "--stride", "2", "--save-npy", out), "--layer is required");
        assertBadInput(run("--layer", "conv9", "--window", "5", "--stride", "2", "--save-npy", out), "no layer 'conv9'");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2", "--channel", "16", "-o",
                dir.toString()), "channel 16 does not exist in layer 'conv2' (channels 0..15)");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2", "--target", "class:3", "--channel",
                "1", "-o", dir.toString()), "--channel is for layer occlusion");
        assertBadInput(run("--target", "class:cat", "--window", "5", "--stride", "2", "--save-npy", out),
                "class 'cat' is not a number");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2", "--cmap", "hot", "-o",
                dir.toString()), "--cmap: unknown colormap 'hot'");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2", "--alpha", "2", "-o",
                dir.toString()), "--alpha: alpha must be in [0, 1], got 2.0");
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2", "--absolute", "--range", "0,1", "-o",
                dir.toString()), "at most one of");
        assertBadInput(run("--layer", "conv2", "--window", "five", "--stride", "2", "--save-npy", out), "five");
        assertBadInput(CliRun.of("occlusion", LENET, "--input-npy", "nope.npy", "--layer", "conv2", "--window", "5",
                "--stride", "2", "--save-npy", out), "nope.npy: file not found");
        Path copy = dir.resolve("input.npy");
        Files.copy(Path.of(LENET_INPUT), copy);
        byte[] before = Files.readAllBytes(copy);
        assertBadInput(CliRun.of("occlusion", LENET, "--input-npy", copy.toString(), "--layer", "conv2", "--window",
                "5", "--stride", "8", "--save-npy", copy.toString()), "output would overwrite an input file");
        assertThat(Files.readAllBytes(copy)).isEqualTo(before);
        assertBadInput(run("--layer", "conv2", "--window", "5", "--stride", "2", "--save-npy",
                dir.resolve("no/such/o.npy").toString()), "does not exist");
        assertThat(dir.resolve("o.npy")).doesNotExist();
    }

    private static CliRun run(String... options) {
        String[] args = new String[4 + options.length];
        args[0] = "occlusion";
        args[1] = LENET;
        args[2] = "--input-npy";
        args[3] = LENET_INPUT;
        System.arraycopy(options, 0, args, 4, options.length);
        return CliRun.of(args);
    }

    private static void assertBadInput(CliRun run, String message) {
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err()).contains(message);
        assertThat(run.out()).as("refused before the prediction is printed").isEmpty();
    }
}
