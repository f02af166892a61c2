package io.dnnvis.onnx;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.build.ModelBuilder;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
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
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 8, 8);
        List<String> inputs = c.op().equals("Conv")
                ? List.of(x, b.randomInitializer("w", new Random(1), 1, 4, 3, 3, 3))
                : List.of(x);
        AttributeProto kernel = OnnxProtos.intsAttr("kernel_shape", 3, 3);
        String y = c.attribute().getName().equals("kernel_shape") ? b.node(c.op(), inputs, c.attribute())
                : b.node(c.op(), inputs, kernel, c.attribute());
        b.output(y);
        byte[] bytes = b.toBytes();
        Path name = Path.of("bad.onnx");
        String node = c.op() + "_1";
        assertThatThrownBy(() -> OnnxModel.fromBytes(bytes, name, LoadOptions.defaults()))
                .isInstanceOf(InvalidModelException.class)
                .hasMessage("bad.onnx: node '" + node + "' (" + c.op() + "): " + c.problem());
    }
}
