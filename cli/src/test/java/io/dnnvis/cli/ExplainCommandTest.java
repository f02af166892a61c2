package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.testdata.AttributionCases;
import io.dnnvis.testdata.TestData;
import io.dnnvis.testdata.Tolerance;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code dnnvis explain}: the issue's command line on the reference cases, several images, pictures, refusals. */
class ExplainCommandTest {

    private static final String GLYPHNET = TestData.glyphNet().toString();
    private static final String R = TestData.file("images/glyphs/R.png").toString();
    private static final String K = TestData.file("images/glyphs/K.png").toString();

    @TempDir
    Path dir;

    static Stream<AttributionCases.Case> cases() {
        // one case of each method, CAMs at both resolutions
        List<AttributionCases.Case> all = TestData.attributionCases().cases();
        List<String> seen = new ArrayList<>();
        return all.stream().filter(c -> !seen.contains(c.method()) && seen.add(c.method()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void savesTheReferenceResult(AttributionCases.Case c) throws Exception {
        Path out = dir.resolve("out.npy");
        List<String> args = new ArrayList<>(List.of("explain", c.model().toString(), "--input-npy",
                c.input().toString(), "--method", c.method(), "--target", c.target(), "--save-npy", out.toString(),
                "--json"));
        c.layer().ifPresent(l -> args.addAll(List.of("--layer", l)));
        c.steps().ifPresent(s -> args.addAll(List.of("--steps", "" + s)));
        c.igMethod().ifPresent(m -> args.addAll(List.of("--ig-method", m)));
        c.baseline().ifPresent(b -> args.addAll(List.of("--baseline", b)));
        c.noise().ifPresent(n -> args.addAll(List.of("--noise", "" + n, "--samples", "256")));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        JsonNode image = json.get("images").get(0);
        assertThat(image.get("target").asText()).isEqualTo(c.target());
        TensorValue got = Npy.read(out, "out");
        float[] expected = Npy.read(c.expected(), "e").data();
        if (c.method().equals("smoothgrad")) {
            // 256 samples: within a few standard errors of the reference mean on average
            float[] variance = Npy.read(c.expectedVariance().orElseThrow(), "v").data();
            double squares = 0;
            for (int i = 0; i < expected.length; i++) {
                double se = Math.sqrt(variance[i] / 256 + variance[i] / c.referenceSamples().orElseThrow());
                double z = se == 0 ? 0 : (got.data()[i] - expected[i]) / se;
                squares += z * z;
            }
            assertThat(squares / expected.length).isLessThan(1.6);
            return;
        }
        double tolerance = c.method().equals("integrated-gradients") ? 2e-3 : 1e-4;
        assertThat(Tolerance.relativeError(got.data(), expected)).isLessThanOrEqualTo(tolerance);
        if (c.convergenceDelta().isPresent()) {
            assertThat(image.get("convergence_delta").asDouble())
                    .isCloseTo(c.convergenceDelta().getAsDouble(), org.assertj.core.data.Offset.offset(0.01));
        } else {
            assertThat(image.has("convergence_delta")).isFalse();
        }
        if (c.expectedInputResolution().isPresent()) {
            Path atInput = dir.resolve("input.npy");
            CliRun again = CliRun.of("explain", c.model().toString(), "--input-npy", c.input().toString(), "--method",
                    c.method(), "--target", c.target(), "--layer", c.layerAlias().orElseThrow(), "--resolution",
                    "input", "--save-npy", atInput.toString());
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(Tolerance.relativeError(Npy.read(atInput, "i").data(),
                    Npy.read(c.expectedInputResolution().get(), "e").data())).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void severalImagesAreStackedAndEachGetsItsOwnResult() {
        Path both = dir.resolve("both.npy");
        CliRun run = CliRun.of("explain", GLYPHNET, "--image", R, K, "--method", "saliency", "--save-npy",
                both.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("R.png: saliency of class:17").contains("K.png: saliency of class:10");
        TensorValue stacked = Npy.read(both, "b");
        assertThat(stacked.shape()).containsExactly(2, 64, 64);
        Path single = dir.resolve("k.npy");
        assertThat(CliRun.of("explain", GLYPHNET, "--image", K, "--method", "saliency", "--save-npy",
                single.toString()).code()).isZero();
        float[] k = Npy.read(single, "k").data();
        // the two images ran as one batch: the same values as K alone, up to the kernels' rounding
        assertThat(Tolerance.relativeError(Arrays.copyOfRange(stacked.data(), 4096, 8192), k)).isLessThan(1e-5);
    }

    @Test
    void writesTheMapOverTheImageAndTheFigureOfAll() throws Exception {
        Path png = dir.resolve("png");
        CliRun run = CliRun.of("explain", GLYPHNET, "--image", R, "--method", "gradcam", "-o", png.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("gradcam of class:17 at relu5");
        CliRun all = CliRun.of("explain", GLYPHNET, "--image", R, "--method", "all", "--target", "class:R", "-o",
                png.toString());
        assertThat(all.code()).as(all.err()).isZero();
        try (Stream<Path> files = Files.list(png)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "R_all_class_R.png", "R_gradcam_class_17.png", "R_gradcam_class_17_heatmap.png");
        }
    }

    @Test
    void badRequestsAreOneLineAndExitTwo() {
        String ig = TestData.file("reference/attr/inputs/glyphnet-R.npy").toString();
        Path wrong = dir.resolve("wrong.npy");
        try {
            Files.write(wrong, Npy.toBytes(new TensorValue("b", new long[] {1, 3, 8, 8}, new float[192])));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path out = dir.resolve("o.npy");
        String[][] cases = {
            {"--method", "gradcam", "--layer", "gemm1", "--save-npy", out.toString()},
            {"--method", "saliency", "--target", "class:99", "--save-npy", out.toString()},
            {"--method", "integrated-gradients", "--steps", "0", "--save-npy", out.toString()},
            {"--method", "integrated-gradients", "--baseline", wrong.toString(), "--save-npy", out.toString()},
            {"--method", "all", "--save-npy", out.toString()},
            {"--method", "saliency"},
            {"--method", "saliency", "--target", "neuron:3", "--json"},
            {"--method", "nonsense", "--json"},
        };
        String[] expected = {"4-D", "99", "--steps", "does not match", "--method all", "nothing to write", "visualize",
            "nonsense"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("explain", GLYPHNET, "--input-npy", ig));
            args.addAll(List.of(cases[i]));
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.code()).as(String.join(" ", cases[i]) + ": " + run.err()).isEqualTo(2);
            assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).startsWith("error: ").contains(expected[i]).doesNotContain("Exception");
            assertThat(out).doesNotExist();
        }
    }
}
