package io.dnnvis.onnx;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Absurd attribute values of window ops are refused at load, with dnnvis's own message. */
class AttributeChecksTest {

    record Case(String op, AttributeProto attribute, String problem) {
        @Override
        public String toString() {
            return op + " " + attribute.getName();
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("Conv", OnnxProtos.intsAttr("strides", 0, 1),
                        "attribute 'strides' must be positive, got [0, 1]"),
                new Case("Conv", OnnxProtos.intsAttr("pads", 1, -1, 1, 1), "negative pad -1 in pads [1, -1, 1, 1]"),
                new Case("Conv", OnnxProtos.intAttr("group", 0), "group must be positive, got 0"),
                new Case("Conv", OnnxProtos.floatAttr("strides", 2f), "attribute 'strides' must be INTS, got FLOAT"),
                new Case("MaxPool", OnnxProtos.intsAttr("dilations", 1, -3),
                        "attribute 'dilations' must be positive, got [1, -3]"),
                new Case("AveragePool", OnnxProtos.intsAttr("kernel_shape", 0, 2),
                        "attribute 'kernel_shape' must be positive, got [0, 2]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refused(Case c) {
        String node = c.op() + "_1";
        NodeProto.Builder n = NodeProto.newBuilder().setName(node).setOpType(c.op()).addInput("x").addOutput("y");
        ModelProto.Builder m = TinyModels.reluModel();
        m.getGraphBuilder().clearNode().clearOutput()
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT));
        if (c.op().equals("Conv")) {
            long[] weights = {4, 3, 3, 3};
            n.addInput("w");
            m.getGraphBuilder().addInitializer(TinyModels.floatTensor("w", weights, new float[4 * 3 * 3 * 3]));
        }
        if (!c.attribute().getName().equals("kernel_shape")) {
            n.addAttribute(OnnxProtos.intsAttr("kernel_shape", 3, 3));
        }
        m.getGraphBuilder().addNode(n.addAttribute(c.attribute()));
        byte[] bytes = m.build().toByteArray();
        Path name = Path.of("bad.onnx");
        assertThatThrownBy(() -> OnnxModel.fromBytes(bytes, name, LoadOptions.defaults()))
                .isInstanceOf(InvalidModelException.class)
                .hasMessage("bad.onnx: node '" + node + "' (" + c.op() + "): " + c.problem());
    }
}
