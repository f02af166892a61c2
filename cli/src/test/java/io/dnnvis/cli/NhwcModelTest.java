package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.modelbuild.NhwcTwin;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command on an NHWC model (GlyphNet's twin: input [1, 64, 64, 3], then a Transpose) writes
 * the same files as on GlyphNet itself: the same PNGs, the same NCHW .npy files.
 */
class NhwcModelTest {

    private static final String IMAGE = TestData.file("images/glyphs/R.png").toString();

    @TempDir
    Path dir;

    private String original;
    private String twin;

    @BeforeEach
    void twinOfGlyphNet() throws IOException {
        original = TestData.glyphNet().toString();
        Path folder = Files.createDirectories(dir.resolve("twin"));
        // the same file name: figures are titled with it
        twin = NhwcTwin.write(TestData.glyphNet(), folder.resolve("glyphnet.onnx")).toString();
    }

    @Test
    void visualizeWritesTheSamePicturesAndNpyFiles() throws IOException {
        for (String model : List.of(original, twin)) {
            String tag = model.equals(original) ? "a" : "b";
            CliRun run = CliRun.of("visualize", model, "--image", IMAGE, "--layer", "conv4", "--neuron", "top:3",
                    "--method", "all", "-o", dir.resolve(tag).toString(), "--save-npy",
                    dir.resolve(tag + ".npy").toString());
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out()).contains("wrote " + dir.resolve(tag + "-desalinet.npy") + " [3, 3, 64, 64]");
        }
        assertSameFiles("a", "b", 1);
        for (String method : List.of("deconvnet", "salinet", "desalinet")) {
            assertSameNpy("a-" + method + ".npy", "b-" + method + ".npy");
        }
    }

    @Test
    void visualizeHeatmapsAndOneMethodPicturesAreTheSame() throws IOException {
        for (String model : List.of(original, twin)) {
            String tag = model.equals(original) ? "a" : "b";
            CliRun run = CliRun.of("visualize", model, "--image", IMAGE, "--layer", "conv2", "--neuron", "1,5",
                    "--method", "salinet", "--heatmap", "-o", dir.resolve(tag).toString());
            assertThat(run.code()).as(run.err()).isZero();
        }
        assertSameFiles("a", "b", 2);
    }

    @Test
    void occlusionWritesTheSameMapsAndPictures() throws IOException {
        for (String model : List.of(original, twin)) {
            String tag = model.equals(original) ? "a" : "b";
            CliRun layer = CliRun.of("occlusion", model, "--image", IMAGE, "--layer", "conv3", "--window", "9",
                    "--stride", "8", "-q", "-o", dir.resolve(tag).toString(), "--save-npy",
                    dir.resolve(tag + "-layer.npy").toString());
            assertThat(layer.code()).as(layer.err()).isZero();
            assertThat(layer.out()).contains("windows (8x8)");
            CliRun score = CliRun.of("occlusion", model, "--image", IMAGE, "--target", "class:R", "--window", "9",
                    "--stride", "6", "--fill", "channel-mean", "-q", "-o", dir.resolve(tag).toString(), "--save-npy",
                    dir.resolve(tag + "-score.npy").toString());
            assertThat(score.code()).as(score.err()).isZero();
            assertThat(score.out()).contains("[64, 64]");
        }
        assertSameFiles("a", "b", 10);
        assertSameNpy("a-layer.npy", "b-layer.npy");
        assertSameNpy("a-score.npy", "b-score.npy");
    }

    @Test
    void inputNpyIsTakenInTheModelsOwnLayout() throws IOException {
        Path nchw = TestData.file("inputs/glyph-R.npy");
        TensorValue x = Npy.read(nchw, "x");
        Path nhwc = dir.resolve("glyph-R-nhwc.npy");
        Npy.write(nhwc, toNhwc(x));
        CliRun a = CliRun.of("visualize", original, "--input-npy", nchw.toString(), "--layer", "conv3", "--neuron",
                "2", "--method", "deconvnet", "-o", dir.resolve("a").toString(), "--save-npy",
                dir.resolve("a.npy").toString());
        CliRun b = CliRun.of("visualize", twin, "--input-npy", nhwc.toString(), "--layer", "conv3", "--neuron",
                "2", "--method", "deconvnet", "-o", dir.resolve("b").toString(), "--save-npy",
                dir.resolve("b.npy").toString());
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(b.code()).as(b.err()).isZero();
        assertSameFiles("a", "b", 1);
        assertSameNpy("a.npy", "b.npy");
        CliRun predictA = CliRun.of("predict", original, "--input-npy", nchw.toString());
        CliRun predictB = CliRun.of("predict", twin, "--input-npy", nhwc.toString());
        assertThat(predictB.code()).as(predictB.err()).isZero();
        assertThat(predictB.out()).isEqualTo(predictA.out()).contains("R ");

        CliRun wrong = CliRun.of("visualize", twin, "--input-npy", nchw.toString(), "--layer", "conv3", "--neuron",
                "2", "--save-npy", dir.resolve("c.npy").toString());
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.oneErrorLine()).as(wrong.err()).isTrue();
        assertThat(wrong.err()).contains("glyph-R.npy: shape [1, 3, 64, 64] does not fit input")
                .contains("nhwc [N, H, W, C]");
        assertThat(dir.resolve("c.npy")).doesNotExist();
    }

    @Test
    void aLayoutThatDoesNotFitTheInputIsRefusedInOneLine() {
        List<List<String>> commands = List.of(
                List.of("predict", twin, "--image", IMAGE, "--layout", "nchw"),
                List.of("visualize", twin, "--image", IMAGE, "--layer", "conv1", "--neuron", "0", "--layout", "nchw",
                        "--save-npy", dir.resolve("x.npy").toString()),
                List.of("occlusion", original, "--image", IMAGE, "--layer", "conv1", "--window", "5", "--stride",
                        "4", "--layout", "nhwc", "--save-npy", dir.resolve("x.npy").toString()),
                List.of("bench", original, "--layer", "conv1", "--layout", "nhwc", "--repeat", "1", "--warmup", "0"));
        for (List<String> args : commands) {
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.code()).as(args + ": " + run.err()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err()).contains("glyphnet.onnx: --layout").contains("does not fit input")
                    .contains("64 channels");
        }
        assertThat(dir.resolve("x.npy")).doesNotExist();
        CliRun unknown = CliRun.of("predict", twin, "--image", IMAGE, "--layout", "hwc");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown layout 'hwc'");
    }

    @Test
    void theHelpStatesTheLayoutOfTheFiles() {
        String visualize = oneLine(CliRun.of("visualize", "--help").out());
        assertThat(visualize).contains("--layout=nchw|nhwc").contains("NCHW whatever the model's input layout");
        String occlusion = oneLine(CliRun.of("occlusion", "--help").out());
        assertThat(occlusion).contains("--layout=nchw|nhwc").contains("whatever its layout");
        assertThat(CliRun.of("predict", "--help").out()).contains("--layout=nchw|nhwc");
        assertThat(CliRun.of("bench", "--help").out()).contains("--layout=nchw|nhwc");
    }

    @Test
    void layoutOverridesWhatTheShapeSuggests() throws IOException {
        // x [1, 3, 12, 3] -> Relu: read as NCHW (3 channels of 12 x 3) unless told NHWC (3 channels of 3 x 12)
        ModelBuilder b = ModelBuilder.create(13).name("ambiguous");
        String relu = b.output(b.relu(b.input("x", 1, 3, 12, 3)));
        Path model = dir.resolve("ambiguous.onnx");
        b.write(model);
        float[] values = new float[108];
        for (int k = 0; k < values.length; k++) {
            values[k] = k % 7;
        }
        Path input = dir.resolve("x.npy");
        Npy.write(input, new TensorValue("x", new long[] {1, 3, 12, 3}, values));
        // the target: element 16 of the output, [0, 0, 5, 1] as the graph indexes it
        List<String> common = List.of("occlusion", model.toString(), "--input-npy", input.toString(), "--target",
                "output:" + relu + "[0,0,5,1]", "--window", "1", "--stride", "1", "--fill", "zero", "-q", "--save-npy");
        CliRun detected = CliRun.of(Stream.concat(common.stream(), Stream.of(dir.resolve("d.npy").toString()))
                .toArray(String[]::new));
        List<String> told = new ArrayList<>(common);
        told.addAll(List.of(dir.resolve("t.npy").toString(), "--layout", "nhwc"));
        CliRun overridden = CliRun.of(told.toArray(String[]::new));
        assertThat(detected.code()).as(detected.err()).isZero();
        assertThat(overridden.code()).as(overridden.err()).isZero();
        assertThat(Npy.read(dir.resolve("d.npy"), "d").shape()).containsExactly(12, 3);
        assertThat(Npy.read(dir.resolve("t.npy"), "t").shape()).containsExactly(3, 12);
        // told NHWC, pixel (y, x) is values[(y * 12 + x) * 3 + c]: element 16 lies in pixel (0, 5) alone
        float[] drop = Npy.read(dir.resolve("t.npy"), "t").data();
        assertThat(drop[5]).isEqualTo(values[16]).isPositive();
        assertThat(drop[12 + 5]).isZero();
        assertThat(drop[4]).isZero();
        // read as NCHW, pixel (y, x) of channel 0 is values[y * 3 + x]: element 16 is pixel (5, 1)
        float[] nchwDrop = Npy.read(dir.resolve("d.npy"), "d").data();
        assertThat(nchwDrop[5 * 3 + 1]).isEqualTo(values[16]).isPositive();
        assertThat(nchwDrop[4 * 3 + 1]).isZero();
        // told NHWC, the Relu holds its channels last: a neuron target there would count rows, and is refused
        List<String> neuron = new ArrayList<>(told);
        neuron.set(neuron.indexOf("--target") + 1, "neuron:0");
        neuron.addAll(List.of("--layer", "relu1"));
        CliRun refused = CliRun.of(neuron.toArray(String[]::new));
        assertThat(refused.code()).as(refused.err()).isEqualTo(2);
        assertThat(refused.err()).contains("holds the image's rows and columns on axes 1 and 2 (its channels last)");
    }

    /** Help text with its line breaks and indentation as single spaces. */
    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ");
    }

    private void assertSameFiles(String a, String b, int expectedCount) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir.resolve(a))) {
            files = listing.sorted().toList();
        }
        assertThat(files).hasSize(expectedCount);
        for (Path file : files) {
            Path other = dir.resolve(b).resolve(file.getFileName());
            assertThat(other).exists();
            assertThat(Files.readAllBytes(other)).as(file.getFileName().toString())
                    .isEqualTo(Files.readAllBytes(file));
        }
    }

    private void assertSameNpy(String a, String b) {
        TensorValue x = Npy.read(dir.resolve(a), "a");
        TensorValue y = Npy.read(dir.resolve(b), "b");
        assertThat(y.shape()).containsExactly(x.shape());
        float[] xs = x.data();
        float[] ys = y.data();
        double max = 0;
        for (float v : xs) {
            if (Float.isFinite(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        assertThat(max).as(a + " is not all zeros").isPositive();
        for (int k = 0; k < xs.length; k++) {
            assertThat(Math.abs(ys[k] - xs[k])).as("%s at %d", b, k).isLessThanOrEqualTo((float) (1e-5 * max));
        }
    }

    private static TensorValue toNhwc(TensorValue nchw) {
        long[] s = nchw.shape();
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        float[] in = nchw.data();
        float[] out = new float[in.length];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[(y * w + x) * c + k] = in[(k * h + y) * w + x];
                }
            }
        }
        return new TensorValue(nchw.name(), new long[] {1, h, w, c}, out);
    }
}
