package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tensors named like other layers' aliases (Caffe converters name them after their layers): the first
 * Conv, node "first", writes tensor "conv2"; the second, node "second", writes tensor "conv1". The
 * alias conv1 is the first Conv, and every command must keep meaning it once it has its tensor name
 * (they read "conv2" as an alias again: a crash, or the other layer's numbers under this one's name).
 */
class AliasLikeTensorNamesTest {

    @TempDir
    static Path dir;

    private static Path model;
    private static Path input;
    private static float[] w1;

    @BeforeAll
    static void write() throws IOException {
        Random r = new Random(9);
        GraphProto g = GraphProto.newBuilder().setName("collide")
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 3, 8, 8))
                .addInitializer(OnnxProtos.floatTensor("w1", new long[] {4, 3, 3, 3}, w1 = gaussian(r, 4 * 27)))
                .addInitializer(OnnxProtos.floatTensor("w2", new long[] {6, 4, 3, 3}, gaussian(r, 6 * 36)))
                .addNode(conv("first", "x", "w1", "conv2"))
                .addNode(NodeProto.newBuilder().setName("act").setOpType("Relu").addInput("conv2").addOutput("relu"))
                .addNode(conv("second", "relu", "w2", "conv1"))
                .addOutput(OnnxProtos.tensorInfoUnknownShape("conv1", DataType.FLOAT))
                .build();
        ModelProto m = ModelProto.newBuilder().setIrVersion(7).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
        model = Files.write(dir.resolve("collide.onnx"), m.toByteArray());
        input = dir.resolve("x.npy");
        Npy.write(input, new TensorValue("x", new long[] {1, 3, 8, 8}, gaussian(r, 3 * 64)));
    }

    @Test
    void theAliasMeansItsLayerInEveryCommand() throws IOException {
        for (String command : new String[] {"occlusion-layer", "occlusion-neuron", "visualize-target", "visualize-top"}) {
            byte[] byAlias = run(command, "conv1");
            byte[] byNodeName = run(command, "first");
            assertThat(byAlias).as(command).isEqualTo(byNodeName);
        }
        CliRun occlusion = CliRun.of("occlusion", model.toString(), "--input-npy", input.toString(), "--layer",
                "conv1", "--window", "3", "--stride", "3", "-q", "--save-npy", dir.resolve("shape.npy").toString());
        assertThat(occlusion.code()).as(occlusion.err()).isZero();
        assertThat(Npy.read(dir.resolve("shape.npy"), "o").shape()).as("the first Conv's 4 channels").startsWith(4);
        // the gradient of the sum of the first Conv's channel 3 (linear in x): at input (c, i, j) the sum
        // of the weights w1[3, c, ky, kx] whose output position (i + 1 - ky, j + 1 - kx) lies in the 8 x 8 map
        float[] gradient = Npy.read(dir.resolve("visualize-target-conv1.npy"), "g").data();
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    double expected = 0;
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int y = i + 1 - ky;
                            int x = j + 1 - kx;
                            if (y >= 0 && y < 8 && x >= 0 && x < 8) {
                                expected += w1[((3 * 3 + c) * 3 + ky) * 3 + kx];
                            }
                        }
                    }
                    assertThat((double) gradient[(c * 8 + i) * 8 + j]).isCloseTo(expected,
                            org.assertj.core.api.Assertions.within(1e-5));
                }
            }
        }
    }

    /** The .npy that {@code command} on {@code layer} writes. */
    private static byte[] run(String command, String layer) throws IOException {
        Path out = dir.resolve(command + "-" + layer + ".npy");
        String m = model.toString();
        String x = input.toString();
        CliRun run = switch (command) {
            case "occlusion-layer" -> CliRun.of("occlusion", m, "--input-npy", x, "--layer", layer, "--window", "3",
                    "--stride", "3", "-q", "--save-npy", out.toString());
            case "occlusion-neuron" -> CliRun.of("occlusion", m, "--input-npy", x, "--layer", layer, "--target",
                    "neuron:3", "--window", "3", "--stride", "3", "-q", "--save-npy", out.toString());
            case "visualize-target" -> CliRun.of("visualize", m, "--input-npy", x, "--layer", layer, "--target",
                    "neuron:3", "--method", "salinet", "--save-npy", out.toString());
            default -> CliRun.of("visualize", m, "--input-npy", x, "--layer", layer, "--neuron", "top:2",
                    "--method", "deconvnet", "--save-npy", out.toString());
        };
        assertThat(run.code()).as(command + " " + layer + ": " + run.err()).isZero();
        return Files.readAllBytes(out);
    }

    private static NodeProto conv(String name, String x, String w, String out) {
        return NodeProto.newBuilder().setName(name).setOpType("Conv").addInput(x).addInput(w).addOutput(out)
                .addAttribute(OnnxProtos.intsAttr("kernel_shape", 3, 3)).addAttribute(OnnxProtos.intsAttr("pads", 1, 1, 1, 1))
                .build();
    }

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * 0.5f;
        }
        return v;
    }
}
