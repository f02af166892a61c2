package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classifier written as the model zoo's first Caffe2 exports write it (opsets 3 and 6: Caffe's
 * Scale and Bias as Mul and Add broadcast from axis 1, Reshape's shape as an attribute, inference
 * flags) predicts and explains exactly as its opset 9 twin, which says per channel with [C, 1, 1]
 * constants what the legacy attributes say.
 */
class LegacyOpsetModelTest {

    @TempDir
    Path dir;

    @Test
    void opsetThreeAndSixModelsAreTheirOpsetNineTwin() throws IOException {
        // bit for bit: after the upgrade the graphs are the same ops on the same values
        Path x = dir.resolve("x.npy");
        float[] data = new float[3 * 8 * 8];
        Random r = new Random(11);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat() * 2 - 1;
        }
        Npy.write(x, new TensorValue("x", new long[] {1, 3, 8, 8}, data));
        String[] predictions = new String[3];
        byte[][] gradients = new byte[3][];
        long[] opsets = {3, 6, 9};
        for (int v = 0; v < 3; v++) {
            Path model = write(opsets[v]);
            CliRun predict = CliRun.of("predict", model.toString(), "--input-npy", x.toString(), "--json");
            assertThat(predict.code()).as(predict.err()).isZero();
            predictions[v] = predict.out();
            Path g = dir.resolve("g" + opsets[v] + ".npy");
            CliRun vis = CliRun.of("visualize", model.toString(), "--input-npy", x.toString(), "--target", "class:1",
                    "--method", "salinet", "--save-npy", g.toString());
            assertThat(vis.code()).as(vis.err()).isZero();
            gradients[v] = Files.readAllBytes(g);
        }
        assertThat(predictions[0]).contains("\"index\"").isEqualTo(predictions[2]);
        assertThat(predictions[1]).isEqualTo(predictions[2]);
        assertThat(gradients[0]).isEqualTo(gradients[2]);
        assertThat(gradients[1]).isEqualTo(gradients[2]);
    }

    /**
     * x[1,3,8,8] -> Conv(4) -> scale per channel -> bias per channel -> Relu -> GlobalAveragePool ->
     * Reshape [1, 4] -> y, at {@code opset}: below 7 in the legacy forms, else with [4, 1, 1] constants.
     */
    private Path write(long opset) throws IOException {
        boolean legacy = opset < 7;
        Random r = new Random(5);
        float[] w = new float[4 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.3f;
        }
        long[] perChannel = legacy ? new long[] {4} : new long[] {4, 1, 1};
        GraphProto.Builder g = GraphProto.newBuilder().setName("caffe2")
                .addInput(OnnxProtos.tensorInfo("data_0", DataType.FLOAT, 1, 3, 8, 8))
                .addInitializer(OnnxProtos.floatTensor("w", new long[] {4, 3, 3, 3}, w))
                .addInitializer(OnnxProtos.floatTensor("scale", perChannel, new float[] {0.5f, 2f, -1f, 1.5f}))
                .addInitializer(OnnxProtos.floatTensor("bias", perChannel, new float[] {0.1f, -0.2f, 0.3f, 0f}))
                .addNode(node("Conv", "data_0", "w", "c").addAttribute(OnnxProtos.intsAttr("kernel_shape", 3, 3))
                        .addAttribute(OnnxProtos.intsAttr("pads", 1, 1, 1, 1)));
        NodeProto.Builder mul = node("Mul", "c", "scale", "s");
        NodeProto.Builder add = node("Add", "s", "bias", "b");
        NodeProto.Builder relu = node("Relu", "b", "r");
        NodeProto.Builder reshape = node("Reshape", "p", "prob");
        if (legacy) {
            for (NodeProto.Builder n : new NodeProto.Builder[] {mul, add}) {
                n.addAttribute(OnnxProtos.intAttr("broadcast", 1)).addAttribute(OnnxProtos.intAttr("axis", 1));
            }
        }
        if (opset < 5) {
            relu.addAttribute(OnnxProtos.intsAttr("consumed_inputs", 0));
            reshape.addAttribute(OnnxProtos.intsAttr("shape", 1, -1));
        } else {
            g.addInitializer(OnnxProtos.longTensor("shape", new long[] {2}, new long[] {1, -1}));
            reshape.addInput("shape");
        }
        g.addNode(mul).addNode(add).addNode(relu).addNode(node("GlobalAveragePool", "r", "p")).addNode(reshape)
                .addOutput(OnnxProtos.tensorInfoUnknownShape("prob", DataType.FLOAT));
        // IR 3 lists initializers as graph inputs; the twin does too, so that ONNX Runtime treats them alike
        // (it folds constants that are not inputs, which changes the last bits)
        for (TensorProto t : g.getInitializerList()) {
            g.addInput(OnnxProtos.tensorInfo(t.getName(), DataType.fromCode(t.getDataType()).orElseThrow(),
                    t.getDimsList().stream().mapToLong(Long::longValue).toArray()));
        }
        ModelProto m = ModelProto.newBuilder().setIrVersion(legacy ? 3 : 4).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
        Path file = dir.resolve("caffe2-opset" + opset + ".onnx");
        Files.write(file, m.toByteArray());
        return file;
    }

    private static NodeProto.Builder node(String op, String... inputsThenOutput) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op);
        for (int k = 0; k < inputsThenOutput.length - 1; k++) {
            n.addInput(inputsThenOutput[k]);
        }
        return n.addOutput(inputsThenOutput[inputsThenOutput.length - 1]);
    }
}
