package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.trace.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TensorFlow export (tf2onnx) keeps its tensors channels last except around each convolution:
 * NHWC input -> Transpose -> Conv -> Relu -> Transpose back -> ReduceMean over H, W -> MatMul. The
 * layer after the second Transpose is 4-D with image rows on axis 1: class activation maps pass it
 * by (they used to take it, rows as channels), and every command that counts channels on axis 1
 * refuses it when named.
 */
class ChannelsLastLayersTest {

    @TempDir
    static Path dir;

    private static Path model;
    private static Path input;

    @BeforeAll
    static void tf2onnxLike() throws IOException {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("input_1", 1, 12, 12, 3);
        String nchw = b.node("Transpose", List.of(x), OnnxProtos.intsAttr("perm", 0, 3, 1, 2));
        String relu = b.relu(b.conv(nchw, 3, 6, 3, 1, 1, 1, new Random(3)));
        String nhwc = b.node("Transpose", List.of(relu), OnnxProtos.intsAttr("perm", 0, 2, 3, 1));
        String pooled = b.node("ReduceMean", List.of(nhwc), OnnxProtos.intsAttr("axes", 1, 2),
                OnnxProtos.intAttr("keepdims", 0));
        float[] w = new float[6 * 4];
        Random r = new Random(4);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        b.output(b.node("MatMul", List.of(pooled, b.initializer("dense", new long[] {6, 4}, w))));
        model = dir.resolve("tf.onnx");
        b.write(model);
        input = RandomInputs.uniform(dir.resolve("x.npy"), r, 1, 12, 12, 3);
    }

    @Test
    void classActivationMapsTakeTheLastLayerWithItsChannelsFirst() throws IOException {
        Path byDefault = dir.resolve("default.npy");
        CliRun run = CliRun.of("explain", model.toString(), "--input-npy", input.toString(), "--method", "gradcam",
                "--save-npy", byDefault.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("gradcam of class:").contains(" at relu1,");
        Path named = dir.resolve("named.npy");
        CliRun explicit = CliRun.of("explain", model.toString(), "--input-npy", input.toString(), "--method",
                "gradcam", "--layer", "relu1", "--save-npy", named.toString());
        assertThat(explicit.code()).as(explicit.err()).isZero();
        assertThat(Files.readAllBytes(byDefault)).isEqualTo(Files.readAllBytes(named));
    }

    @Test
    void everyCommandThatCountsChannelsRefusesTheChannelsLastLayer() {
        String m = model.toString();
        String x = input.toString();
        String npy = dir.resolve("refused.npy").toString();
        List<CliRun> runs = List.of(
                CliRun.of("explain", m, "--input-npy", x, "--method", "gradcam", "--layer", "transpose2",
                        "--save-npy", npy),
                CliRun.of("occlusion", m, "--input-npy", x, "--layer", "transpose2", "--window", "3", "--stride", "3",
                        "-q", "--save-npy", npy),
                CliRun.of("occlusion", m, "--input-npy", x, "--layer", "transpose2", "--target", "neuron:0",
                        "--window", "3", "--stride", "3", "-q", "--save-npy", npy),
                CliRun.of("visualize", m, "--input-npy", x, "--layer", "transpose2", "--target", "neuron:0",
                        "--method", "salinet", "--save-npy", npy),
                CliRun.of("visualize", m, "--input-npy", x, "--layer", "transpose2", "--neuron", "0",
                        "--method", "salinet", "--save-npy", npy));
        for (CliRun run : runs) {
            assertThat(run.code()).as(run.err()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err()).contains("[1, 12, 12, 6] holds the image's rows and columns on axes 1 and 2 "
                    + "(its channels last)").contains("choose a layer where they are on axes 2 and 3");
        }
        assertThat(dir.resolve("refused.npy")).doesNotExist();
        // the same commands on the layer before the Transpose run
        CliRun occlusion = CliRun.of("occlusion", m, "--input-npy", x, "--layer", "relu1", "--window", "3",
                "--stride", "3", "-q", "--save-npy", npy);
        assertThat(occlusion.code()).as(occlusion.err()).isZero();
    }

    @Test
    void aLayerWithRowsAndColumnsSwappedKeepsItsChannelsOnAxisOne() throws IOException {
        // NCHW input -> Conv -> Transpose(0, 1, 3, 2) -> Relu: rows and columns swapped, channels stay on axis 1
        ModelBuilder b = ModelBuilder.create(13);
        String swapped = b.node("Transpose", List.of(b.conv(b.input("x", 1, 3, 10, 12), 3, 5, 3, 1, 1, 1,
                new Random(6))), OnnxProtos.intsAttr("perm", 0, 1, 3, 2));
        b.output(b.relu(swapped));
        Path swap = dir.resolve("swap.onnx");
        b.write(swap);
        Path x = RandomInputs.uniform(dir.resolve("swap.npy"), new Random(7), 1, 3, 10, 12);
        CliRun occlusion = CliRun.of("occlusion", swap.toString(), "--input-npy", x.toString(), "--layer", "relu1",
                "--window", "3", "--stride", "3", "-q", "--save-npy", dir.resolve("swap-o.npy").toString());
        assertThat(occlusion.code()).as(occlusion.err()).isZero();
        assertThat(Npy.read(dir.resolve("swap-o.npy"), "o").shape()[0]).as("the Conv's 5 channels").isEqualTo(5);
        CliRun neuron = CliRun.of("visualize", swap.toString(), "--input-npy", x.toString(), "--layer", "relu1",
                "--neuron", "4", "--method", "salinet", "--save-npy", dir.resolve("swap-v.npy").toString());
        assertThat(neuron.code()).as(neuron.err()).isZero();
    }

    @Test
    void anInputShapeInTheOtherLayoutIsRefused() {
        CliRun wrong = CliRun.of("layers", model.toString(), "--input-shape", "1,3,12,12");
        assertThat(wrong.code()).as(wrong.err()).isEqualTo(2);
        assertThat(wrong.err().strip()).isEqualTo("error: tf.onnx: --input-shape [1, 3, 12, 12] does not fit input "
                + "'input_1' [1, 12, 12, 3]: axis 1 is 12 (the model takes N,H,W,C)");
        CliRun right = CliRun.of("layers", model.toString(), "--input-shape", "1,12,12,3");
        assertThat(right.code()).as(right.err()).isZero();
        assertThat(right.out()).contains("[1, 6, 12, 12]");
    }
}
