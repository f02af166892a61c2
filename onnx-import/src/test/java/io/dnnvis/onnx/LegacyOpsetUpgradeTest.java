package io.dnnvis.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Opset 1 to 6 models (the model zoo's first Caffe2 exports) are read at opset 7 and then 9: each
 * legacy form of the changelog against the form opset 7 gives the same meaning.
 */
class LegacyOpsetUpgradeTest {

    private static final float[] SCALE = {2, 3, 4};

    private static ModelProto model(long opset, GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(3).setGraph(g.setName("legacy"))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    private static OnnxModel load(ModelProto p) {
        return OnnxModel.fromBytes(p.toByteArray(), Path.of("legacy.onnx"), LoadOptions.defaults());
    }

    private static NodeProto.Builder node(String op, String... inputsThenOutput) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase());
        for (int k = 0; k < inputsThenOutput.length - 1; k++) {
            n.addInput(inputsThenOutput[k]);
        }
        return n.addOutput(inputsThenOutput[inputsThenOutput.length - 1]);
    }

    private static Node find(OnnxModel m, String op) {
        return m.graph().nodes().stream().filter(n -> n.opType().equals(op)).findFirst().orElseThrow();
    }

    /** x[1,3,4,4] -> BatchNormalization (is_test) -> Mul by s[3] from axis 1 (Caffe's Scale) -> Dropout (is_test) -> y. */
    private static GraphProto.Builder scaleGraph(String bInput, boolean knownRank) {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInput(knownRank ? OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 3, 4, 4)
                        : OnnxProtos.tensorInfoUnknownShape("x", DataType.FLOAT))
                .addInitializer(OnnxProtos.floatTensor("s", new long[] {3}, SCALE))
                .addInitializer(OnnxProtos.floatTensor("z", new long[] {3}, new float[3]))
                .addNode(node("BatchNormalization", "x", "s", "z", "z", "s", "n")
                        .addAttribute(OnnxProtos.intAttr("is_test", 1))
                        .addAttribute(OnnxProtos.intAttr("spatial", 1)))
                .addNode(node("Relu", "s", "sr")) // a computed [3]
                .addNode(node("Mul", "n", bInput, "m").addAttribute(OnnxProtos.intAttr("broadcast", 1))
                        .addAttribute(OnnxProtos.intAttr("axis", 1)))
                .addNode(node("Dropout", "m", "y").addAttribute(OnnxProtos.intAttr("is_test", 1)))
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT));
        return g;
    }

    @Test
    void caffesScaleBecomesANumpyBroadcastAndTheInferenceFlagsGo() {
        OnnxModel m = load(model(6, scaleGraph("s", true)));
        assertThat(m.opset()).as("then brought on to opset 9 as opset 7 models are").isEqualTo(9);
        Node mul = find(m, "Mul");
        assertThat(mul.attributes()).isEmpty();
        Tensor s = m.graph().initializers().get(mul.inputs().get(1));
        assertThat(s.dims()).containsExactly(3, 1, 1);
        assertThat(s.toFloatArray()).containsExactly(SCALE);
        assertThat(m.graph().initializers().get("s").dims()).as("the original, read by the BatchNormalization too")
                .containsExactly(3);
        assertThat(find(m, "Dropout").attributes()).isEmpty();
        assertThat(find(m, "BatchNormalization").attributes()).as("is_test, and spatial at opset 9").isEmpty();
    }

    @Test
    void aBroadcastMatchedToTheLastAxesNeedsNothing() {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 3, 4, 4))
                .addInitializer(OnnxProtos.floatTensor("w", new long[] {4}, new float[] {1, 2, 3, 4}))
                .addNode(node("Add", "x", "w", "y").addAttribute(OnnxProtos.intAttr("broadcast", 1))
                        .addAttribute(OnnxProtos.intAttr("axis", 3)))
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT));
        OnnxModel m = load(model(6, g));
        Node add = find(m, "Add");
        assertThat(add.inputs()).containsExactly("x", "w");
        assertThat(add.attributes()).isEmpty();
    }

    @Test
    void opsetOneFormsAreWrittenAsOpsetSevenOnes() {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 3, 4, 4))
                .addInitializer(OnnxProtos.floatTensor("slope", new long[] {3}, new float[] {0.1f, 0.2f, 0.3f}))
                .addNode(node("PRelu", "x", "slope", "p").addAttribute(OnnxProtos.intsAttr("consumed_inputs", 0, 0)))
                .addNode(node("Pad", "p", "q").addAttribute(OnnxProtos.intsAttr("paddings", 0, 0, 1, 1, 0, 0, 1, 1)))
                .addNode(node("Concat", "q", "q", "c"))
                .addNode(node("Cast", "c", "d").addAttribute(OnnxProtos.stringAttr("to", "float")))
                .addNode(node("Reshape", "d", "y").addAttribute(OnnxProtos.intsAttr("shape", 1, -1)))
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT));
        OnnxModel m = load(model(1, g));
        Node prelu = find(m, "PRelu");
        assertThat(prelu.attributes()).isEmpty();
        assertThat(m.graph().initializers().get(prelu.inputs().get(1)).dims()).containsExactly(3, 1, 1);
        assertThat(find(m, "Pad").intsAttribute("pads")).hasValueSatisfying(
                p -> assertThat(p).containsExactly(0, 0, 1, 1, 0, 0, 1, 1));
        assertThat(find(m, "Pad").attribute("paddings")).isEmpty();
        assertThat(find(m, "Concat").intAttribute("axis", -1)).isEqualTo(1);
        assertThat(find(m, "Cast").intAttribute("to", -1)).isEqualTo(DataType.FLOAT.code());
        Node reshape = find(m, "Reshape");
        assertThat(reshape.attribute("shape")).isEmpty();
        assertThat(m.graph().initializers().get(reshape.inputs().get(1)).toLongArray()).containsExactly(1, -1);
    }

    @Test
    void whatOpsetSevenCannotSayIsRefusedNamingTheNode() {
        assertThatThrownBy(() -> load(model(6, scaleGraph("sr", true))))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("opset 6: node 'mul' (Mul) broadcasts a computed tensor along axis 1");
        assertThatThrownBy(() -> load(model(6, scaleGraph("s", false))))
                .hasMessageContaining("node 'mul' (Mul) broadcasts along axis 1 a tensor whose rank is not known");
        GraphProto.Builder tile = GraphProto.newBuilder()
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 3, 4, 4))
                .addInitializer(OnnxProtos.longTensor("tiles", new long[] {}, new long[] {2}))
                .addInitializer(OnnxProtos.longTensor("axis", new long[] {}, new long[] {3}))
                .addNode(node("Tile", "x", "tiles", "axis", "y"))
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT));
        assertThatThrownBy(() -> load(model(1, tile))).isInstanceOf(InvalidModelException.class)
                .hasMessage("legacy.onnx: opset 1: node 'tile' (Tile) takes tiles and an axis (opset 1), which opset 6 "
                        + "replaced by repeats; dnnvis brings opsets 1 to 6 to opset 7 (the oldest ONNX Runtime reads) "
                        + "where their ops allow it");
        GraphProto.Builder cast = GraphProto.newBuilder()
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1))
                .addNode(node("Cast", "x", "y").addAttribute(OnnxProtos.stringAttr("to", "quaternion")))
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT));
        assertThatThrownBy(() -> load(model(5, cast))).hasMessageContaining("casts to the unknown type 'QUATERNION'");
    }

    @Test
    void upsampleOneAndTileSixAreOpsetSevenForms() {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 3, 4, 4))
                .addInitializer(OnnxProtos.longTensor("repeats", new long[] {4}, new long[] {1, 1, 1, 2}))
                .addNode(node("Upsample", "x", "u").addAttribute(OnnxProtos.floatAttr("height_scale", 2))
                        .addAttribute(OnnxProtos.floatAttr("width_scale", 3))
                        .addAttribute(OnnxProtos.stringAttr("mode", "bilinear")))
                .addNode(node("Tile", "u", "repeats", "y"))
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT));
        OnnxModel m = load(model(6, g));
        Node up = find(m, "Upsample");
        assertThat(up.attribute("height_scale")).isEmpty();
        assertThat(up.attribute("mode").orElseThrow().asString()).isEqualTo("linear");
        assertThat(m.graph().initializers().get(up.inputs().get(1)).toFloatArray()).as("scales, an input at opset 9")
                .containsExactly(1, 1, 2, 3);
        assertThat(find(m, "Tile").inputs()).containsExactly("u", "repeats");
    }

    @Test
    void aConstantNodeOrASingleValueBroadcastsFromAnAxisToo() {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 3, 4, 4))
                .addInitializer(OnnxProtos.floatTensor("one", new long[] {1, 1}, new float[] {2}))
                .addNode(node("Constant", "s").addAttribute(OnnxProtos.tensorAttr("value",
                        OnnxProtos.floatTensor("", new long[] {3}, SCALE))))
                .addNode(node("Mul", "x", "s", "m").addAttribute(OnnxProtos.intAttr("broadcast", 1))
                        .addAttribute(OnnxProtos.intAttr("axis", 1)))
                .addNode(node("Add", "m", "one", "y").addAttribute(OnnxProtos.intAttr("broadcast", 1))
                        .addAttribute(OnnxProtos.intAttr("axis", 3)))
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT));
        OnnxModel m = load(model(6, g));
        Tensor s = m.graph().initializers().get(find(m, "Mul").inputs().get(1));
        assertThat(s.dims()).containsExactly(3, 1, 1);
        assertThat(s.toFloatArray()).containsExactly(SCALE);
        assertThat(find(m, "Add").inputs()).as("one value: nothing to reshape").containsExactly("m", "one");
    }

    @Test
    void opsetZeroIsStillRefused() {
        assertThatThrownBy(() -> load(model(0, scaleGraph("s", true)))).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("unsupported opset 0");
    }
}
