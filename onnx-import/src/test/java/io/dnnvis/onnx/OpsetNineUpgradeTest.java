package io.dnnvis.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Opset 7 and 8 models are read as opset 9 where the ops they use allow it. */
class OpsetNineUpgradeTest {

    private static ModelProto model(long opset, long spatial) {
        return model(opset, spatial, new long[] {2});
    }

    /** BatchNormalization with parameters of {@code dims} ({@code [2]}: one per channel), then Upsample. */
    private static ModelProto model(long opset, long spatial, long[] dims) {
        int n = (int) java.util.Arrays.stream(dims).reduce(1, Math::multiplyExact);
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1);
        GraphProto g = GraphProto.newBuilder()
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 2, 3, 3))
                .addInitializer(OnnxProtos.floatTensor("s", dims, ones))
                .addInitializer(OnnxProtos.floatTensor("b", dims, new float[n]))
                .addNode(NodeProto.newBuilder().setOpType("BatchNormalization").setName("bn")
                        .addInput("x").addInput("s").addInput("b").addInput("b").addInput("s").addOutput("n")
                        .addAttribute(OnnxProtos.intAttr("spatial", spatial)))
                .addNode(NodeProto.newBuilder().setOpType("Upsample").setName("up").addInput("n").addOutput("y")
                        .addAttribute(OnnxProtos.floatsAttr("scales", 1, 1, 2, 3))
                        .addAttribute(OnnxProtos.stringAttr("mode", "nearest")))
                .addOutput(OnnxProtos.tensorInfo("y", DataType.FLOAT, 1, 2, 6, 9))
                .build();
        return ModelProto.newBuilder().setIrVersion(3).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    private static OnnxModel load(ModelProto p) {
        return OnnxModel.fromBytes(p.toByteArray(), Path.of("old.onnx"), LoadOptions.defaults());
    }

    @Test
    void upsampleScalesBecomeAnInputAndSpatialGoes() {
        OnnxModel m = load(model(7, 1));
        assertThat(m.opset()).isEqualTo(9);
        assertThat(m.runtimeProto().getIrVersion()).isEqualTo(4);
        Node up = m.graph().nodes().stream().filter(n -> n.opType().equals("Upsample")).findFirst().orElseThrow();
        assertThat(up.attribute("scales")).isEmpty();
        assertThat(up.attribute("mode")).isPresent();
        assertThat(up.inputs()).hasSize(2);
        assertThat(m.graph().initializers().get(up.inputs().get(1)).toFloatArray()).containsExactly(1, 1, 2, 3);
        Node bn = m.graph().nodes().stream().filter(n -> n.opType().equals("BatchNormalization")).findFirst()
                .orElseThrow();
        assertThat(bn.attribute("spatial")).isEmpty();
        assertThat(load(model(8, 1)).opset()).isEqualTo(9);
    }

    @Test
    void whatOpsetNineCannotSayKeepsItsOpsetAndSaysWhy() {
        OnnxModel m = load(model(7, 0, new long[] {2, 3, 3}));
        assertThat(m.opset()).isEqualTo(7);
        assertThat(m.graph().nodes().stream().filter(n -> n.opType().equals("Upsample")).findFirst().orElseThrow()
                .attribute("scales")).isPresent();
        assertThat(m.keptAtOpset()).hasValueSatisfying(why -> assertThat(why)
                .contains("node 'bn' (BatchNormalization)").contains("spatial=0"));
        assertThat(load(model(9, 1)).runtimeProto().getIrVersion()).as("opset 9 models are left alone").isEqualTo(3);
        assertThat(load(model(7, 1)).keptAtOpset()).isEmpty();
        assertThat(load(model(9, 1)).keptAtOpset()).isEmpty();
    }

    /**
     * MXNet's exporter writes {@code spatial=0} with one scale per channel, which can only mean what
     * {@code spatial=1} means: the model is brought to opset 9 exactly as its {@code spatial=1} twin.
     */
    @Test
    void spatialZeroWithOneScalePerChannelIsReadAsSpatialOne() {
        OnnxModel m = load(model(7, 0));
        assertThat(m.opset()).isEqualTo(9);
        assertThat(m.keptAtOpset()).isEmpty();
        assertThat(m.runtimeProto()).isEqualTo(load(model(7, 1)).runtimeProto());
    }
}
