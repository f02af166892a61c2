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
        GraphProto g = GraphProto.newBuilder()
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 2, 3, 3))
                .addInitializer(OnnxProtos.floatTensor("s", new long[] {2}, new float[] {1, 1}))
                .addInitializer(OnnxProtos.floatTensor("b", new long[] {2}, new float[] {0, 0}))
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
    void whatOpsetNineCannotSayKeepsItsOpset() {
        OnnxModel m = load(model(7, 0));
        assertThat(m.opset()).isEqualTo(7);
        assertThat(m.graph().nodes().stream().filter(n -> n.opType().equals("Upsample")).findFirst().orElseThrow()
                .attribute("scales")).isPresent();
        assertThat(load(model(9, 1)).runtimeProto().getIrVersion()).as("opset 9 models are left alone").isEqualTo(3);
    }
}
