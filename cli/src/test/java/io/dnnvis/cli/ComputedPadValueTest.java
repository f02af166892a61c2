package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.trace.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Pad whose constant is computed from the image (here the smallest value of the map it pads): its
 * adjoint does not read the constant, so the backward nets go through it (refused for a while, when
 * the shared Pad parser asked for a known constant).
 */
class ComputedPadValueTest {

    @TempDir
    Path dir;

    @Test
    void theBackwardNetsGoThroughAPadWithAComputedConstant() throws IOException {
        Path x = RandomInputs.uniform(dir.resolve("x.npy"), new Random(12), 1, 3, 8, 8);
        ModelBuilder b = ModelBuilder.create(13);
        String conv = b.conv(b.input("x", 1, 3, 8, 8), 3, 4, 3, 1, 1, 1, new Random(13));
        String smallest = b.node("ReduceMin", List.of(conv), OnnxProtos.intAttr("keepdims", 0)); // a scalar
        String pads = b.initializerLongs("pads", new long[] {8}, new long[] {0, 0, 1, 2, 0, 0, 2, 1});
        b.output(b.relu(b.node("Pad", List.of(conv, pads, smallest))));
        Path model = dir.resolve("computed-pad.onnx");
        b.write(model);
        for (String method : new String[] {"deconvnet", "salinet", "desalinet"}) {
            Path out = dir.resolve(method + ".npy");
            CliRun run = CliRun.of("visualize", model.toString(), "--input-npy", x.toString(), "--layer", "relu1",
                    "--neuron", "2", "--method", method, "--save-npy", out.toString());
            assertThat(run.code()).as(method + ": " + run.err()).isZero();
            float[] g = Npy.read(out, "g").data();
            double norm = 0;
            for (float v : g) {
                assertThat(Float.isFinite(v)).isTrue();
                norm += v * v;
            }
            assertThat(norm).as(method).isPositive();
        }
    }
}
