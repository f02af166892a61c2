package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.TargetRequest;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.Gates;
import io.dnnvis.methods.core.Target;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code visualize --gates relu|all}. */
class GatesOptionTest {

    private static final List<String> METHODS = List.of("deconvnet", "salinet", "desalinet");

    @TempDir
    Path dir;

    @Test
    void onAReluOnlyModelAllGatesWriteTheSameFiles() throws Exception {
        String model = TestData.glyphNet().toString();
        String image = TestData.root().resolve("images/glyphs/R.png").toString();
        for (List<String> what : List.of(List.of("--layer", "conv4", "--neuron", "top:4"), List.of("--target", "class:R"))) {
            for (String gates : List.of("relu", "all")) {
                List<String> args = new java.util.ArrayList<>(List.of("visualize", model, "--image", image, "--method",
                        "all", "--gates", gates, "--save-npy", dir.resolve(gates + ".npy").toString(), "--force"));
                args.addAll(what);
                CliRun run = CliRun.of(args.toArray(String[]::new));
                assertThat(run.code()).as(run.err()).isZero();
            }
            for (String m : METHODS) {
                byte[] relu = Files.readAllBytes(dir.resolve("relu-" + m + ".npy"));
                assertThat(Files.readAllBytes(dir.resolve("all-" + m + ".npy"))).as(what + " " + m).isEqualTo(relu);
                assertThat(Npy.read(dir.resolve("relu-" + m + ".npy"), "r").shape()[0]).isEqualTo(
                        what.get(0).equals("--target") ? 1 : 4);
            }
        }
    }

    @Test
    void allGatesSendTheGuidedSignalThroughOtherGates() throws Exception {
        Path model = TestData.file("gates/gate_chain_op13.onnx");
        Path input = dir.resolve("x.npy");
        float[] v = new float[3 * 8 * 8];
        Random rnd = new Random(2);
        for (int k = 0; k < v.length; k++) {
            v[k] = -3 + 6 * rnd.nextFloat();
        }
        TensorValue x = TensorValue.owning("input", new long[] {1, 3, 8, 8}, v);
        Files.write(input, Npy.toBytes(x));
        for (String gates : List.of("relu", "all")) {
            CliRun run = CliRun.of("visualize", model.toString(), "--input-npy", input.toString(), "--method", "all",
                    "--target", "neuron:2", "--layer", "output", "--gates", gates, "--save-npy",
                    dir.resolve(gates + ".npy").toString());
            assertThat(run.code()).as(run.err()).isZero();
        }
        try (Visualizer vis = Visualizer.open(model)) {
            for (String m : METHODS) {
                float[] all = Npy.read(dir.resolve("all-" + m + ".npy"), "a").data();
                float[] relu = Npy.read(dir.resolve("relu-" + m + ".npy"), "r").data();
                TargetRequest request = TargetRequest.of(BackwardMethod.parse(m), Target.parse("neuron:2"), "output");
                assertThat(all).as(m).containsExactly(vis.run(request.withGates(Gates.ALL), x).tensor().data());
                if (m.equals("salinet")) {
                    assertThat(all).containsExactly(relu);
                } else {
                    assertThat(all).as(m).isNotEqualTo(relu);
                }
            }
        }
    }

    @Test
    void unknownGatesAreRefusedInOneLine() {
        CliRun run = CliRun.of("visualize", TestData.glyphNet().toString(), "--image",
                TestData.root().resolve("images/glyphs/R.png").toString(), "--layer", "conv4", "--neuron", "1",
                "--gates", "most", "--save-npy", dir.resolve("o.npy").toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err()).contains("--gates").contains("unknown gates 'most' (relu or all)");
        assertThat(CliRun.of("visualize", "--help").out()).contains("--gates=relu|all");
    }
}
