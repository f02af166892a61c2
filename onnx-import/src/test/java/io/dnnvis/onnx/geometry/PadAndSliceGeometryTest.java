package io.dnnvis.onnx.geometry;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.ConstantValues;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.LoadOptions;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Pad's and Slice's geometry read from attributes (old opsets) and from constant inputs (initializers,
 * Constant nodes' {@code value} and {@code value_ints}), against the operator specification's rules
 * written out by hand.
 */
class PadAndSliceGeometryTest {

    @Test
    void padFromAttributesOfOpsetTen() {
        Node pad = node(10, NodeProto.newBuilder().setOpType("Pad").addInput("x").addOutput("y")
                .addAttribute(OnnxProtos.intsAttr("pads", 0, 0, 1, 2, 0, 0, 3, 4))
                .addAttribute(OnnxProtos.floatAttr("value", 0.5f)).build(), GraphProto.newBuilder());
        PadGeometry p = PadGeometry.of(pad, 4, name -> Optional.empty()).orElseThrow();
        assertThat(p.mode()).isEqualTo("constant");
        assertThat(p.begin()).containsExactly(0, 0, 1, 2);
        assertThat(p.end()).containsExactly(0, 0, 3, 4);
        assertThat(p.value()).isEqualTo(0.5f);
        assertThat(p.changes(1)).isFalse();
        assertThat(p.changes(2)).isTrue();
        assertThat(p.addsOnlyTo(2, 3)).isTrue();
        assertThat(p.source(2, 0, 5)).isEqualTo(-1);
        assertThat(p.source(2, 1, 5)).isEqualTo(0);
        assertThat(p.source(2, 6, 5)).isEqualTo(-1);
    }

    @Test
    void padFromConstantInputsWithAxesAndValue() {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInitializer(OnnxProtos.longTensor("pads", new long[] {4}, new long[] {1, -1, 2, 0}))
                .addInitializer(OnnxProtos.floatTensor("v", new long[] {}, new float[] {-3f}))
                .addNode(NodeProto.newBuilder().setOpType("Constant").addOutput("axes")
                        .addAttribute(OnnxProtos.intsAttr("value_ints", -1, 2)));
        Node pad = node(18, NodeProto.newBuilder().setOpType("Pad").addInput("x").addInput("pads").addInput("v")
                .addInput("axes").addOutput("y").addAttribute(OnnxProtos.stringAttr("mode", "reflect")).build(), g);
        ConstantValues constants = ConstantValues.of(graph);
        PadGeometry p = PadGeometry.of(pad, 4, constants).orElseThrow();
        assertThat(p.mode()).isEqualTo("reflect");
        assertThat(p.begin()).containsExactly(0, 0, -1, 1); // axes (3, 2): pads begin (1, -1), end (2, 0)
        assertThat(p.end()).containsExactly(0, 0, 0, 2);
        assertThat(p.value()).isEqualTo(-3f);
        assertThat(p.addsOnlyTo(2, 3)).isFalse(); // it crops a row
        // reflect on an axis of 4 (a b c d), one position before and two after: b a b c d c b
        assertThat(IntStream.range(0, 7).map(o -> p.source(3, o, 4)).toArray()).containsExactly(1, 0, 1, 2, 3, 2, 1);
        assertThat(p.valueKnown()).isTrue();
        ConstantValues withoutV = new ConstantValues() { // "v" computed from the image
            @Override
            public Optional<io.dnnvis.onnx.Tensor> tensor(String name) {
                return name.equals("v") ? Optional.empty() : constants.tensor(name);
            }

            @Override
            public Optional<long[]> longs(String name) {
                return constants.longs(name);
            }
        };
        PadGeometry computedValue = PadGeometry.of(pad, 4, withoutV).orElseThrow();
        assertThat(computedValue.valueKnown()).as("a constant computed from the image: the positions are known")
                .isFalse();
        assertThat(computedValue.begin()).containsExactly(p.begin());
        assertThat(PadGeometry.of(pad, 2, constants)).as("axis 2 of a rank-2 input").isEmpty();
        assertThat(PadGeometry.of(pad, 4, name -> Optional.empty())).as("pads not known").isEmpty();
    }

    /** Constants behind Identity nodes (PyTorch's exporter writes shared constants so) are known too. */
    @Test
    void padFromConstantsBehindIdentities() {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInitializer(OnnxProtos.longTensor("p0", new long[] {4}, new long[] {1, -1, 2, 0}))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("p0").addOutput("p1"))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("p1").addOutput("pads"))
                .addNode(NodeProto.newBuilder().setOpType("Constant").addOutput("a0")
                        .addAttribute(OnnxProtos.intsAttr("value_ints", -1, 2)))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("a0").addOutput("axes"));
        Node pad = node(18, NodeProto.newBuilder().setOpType("Pad").addInput("x").addInput("pads").addInput("")
                .addInput("axes").addOutput("y").build(), g);
        ConstantValues constants = ConstantValues.of(graph);
        assertThat(constants.tensor("pads").orElseThrow().toLongArray()).containsExactly(1, -1, 2, 0);
        assertThat(constants.longs("axes").orElseThrow()).containsExactly(-1, 2);
        assertThat(constants.tensor("x")).as("the graph's input").isEmpty();
        PadGeometry p = PadGeometry.of(pad, 4, constants).orElseThrow();
        assertThat(p.begin()).containsExactly(0, 0, -1, 1);
        assertThat(p.end()).containsExactly(0, 0, 0, 2);
    }

    @Test
    void everyModeReadsWhatTheSpecificationSays() {
        // an axis of 3 (a b c) with two positions before and after it
        assertThat(sources("constant")).containsExactly(-1, -1, 0, 1, 2, -1, -1);
        assertThat(sources("edge")).containsExactly(0, 0, 0, 1, 2, 2, 2);
        assertThat(sources("reflect")).containsExactly(2, 1, 0, 1, 2, 1, 0);
        assertThat(sources("wrap")).containsExactly(1, 2, 0, 1, 2, 0, 1);
        Node unknown = node(13, NodeProto.newBuilder().setOpType("Pad").addInput("x").addInput("pads").addOutput("y")
                .addAttribute(OnnxProtos.stringAttr("mode", "mirror")).build(), GraphProto.newBuilder()
                .addInitializer(OnnxProtos.longTensor("pads", new long[] {2}, new long[] {1, 1})));
        assertThat(PadGeometry.mode(unknown)).isEqualTo("mirror");
        assertThat(PadGeometry.of(unknown, 1, ConstantValues.of(graph))).isEmpty();
    }

    @Test
    void sliceIndicesFollowTheClampingRules() {
        assertThat(SliceGeometry.indices(10, 2, 7, 2)).containsExactly(2, 4, 6);
        assertThat(SliceGeometry.indices(10, -3, Long.MAX_VALUE, 1)).containsExactly(7, 8, 9);
        assertThat(SliceGeometry.indices(5, -1, Long.MIN_VALUE, -1)).containsExactly(4, 3, 2, 1, 0);
        assertThat(SliceGeometry.indices(5, 100, 1, -2)).containsExactly(4, 2);
        assertThat(SliceGeometry.indices(5, 3, 3, 1)).isEmpty();
    }

    @Test
    void sliceFromAttributesAndFromInputs() {
        Node old = node(9, NodeProto.newBuilder().setOpType("Slice").addInput("x").addOutput("y")
                .addAttribute(OnnxProtos.intsAttr("starts", 1)).addAttribute(OnnxProtos.intsAttr("ends", -1))
                .addAttribute(OnnxProtos.intsAttr("axes", 3)).build(), GraphProto.newBuilder());
        SliceGeometry a = SliceGeometry.of(old, 4, name -> Optional.empty()).orElseThrow();
        assertThat(a.slices(3)).isTrue();
        assertThat(a.slices(2)).isFalse();
        assertThat(a.kept(3, 5)).containsExactly(1, 2, 3);
        assertThat(a.kept(2, 3)).containsExactly(0, 1, 2);

        GraphProto.Builder g = GraphProto.newBuilder()
                .addInitializer(OnnxProtos.longTensor("starts", new long[] {2}, new long[] {-1, 0}))
                .addInitializer(OnnxProtos.longTensor("ends", new long[] {2}, new long[] {Long.MIN_VALUE, 4}))
                .addInitializer(OnnxProtos.longTensor("axes", new long[] {2}, new long[] {2, -1}))
                .addInitializer(OnnxProtos.longTensor("steps", new long[] {2}, new long[] {-1, 3}));
        Node slice = node(13, NodeProto.newBuilder().setOpType("Slice").addInput("x").addInput("starts")
                .addInput("ends").addInput("axes").addInput("steps").addOutput("y").build(), g);
        SliceGeometry b = SliceGeometry.of(slice, 4, ConstantValues.of(graph)).orElseThrow();
        assertThat(b.kept(2, 3)).containsExactly(2, 1, 0);
        assertThat(b.kept(3, 5)).containsExactly(0, 3);
        assertThat(b.slices(1)).isFalse();
        assertThat(SliceGeometry.of(slice, 4, name -> Optional.empty())).isEmpty();
    }

    @Test
    void aSliceNamingAnAxisTwiceOrWithStepZeroHasNoGeometry() {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInitializer(OnnxProtos.longTensor("starts", new long[] {2}, new long[] {0, 0}))
                .addInitializer(OnnxProtos.longTensor("ends", new long[] {2}, new long[] {2, 2}))
                .addInitializer(OnnxProtos.longTensor("axes", new long[] {2}, new long[] {3, -1}))
                .addInitializer(OnnxProtos.longTensor("zero", new long[] {1}, new long[] {0}));
        Node twice = node(13, NodeProto.newBuilder().setOpType("Slice").addInput("x").addInput("starts")
                .addInput("ends").addInput("axes").addOutput("y").build(), g);
        assertThat(SliceGeometry.of(twice, 4, ConstantValues.of(graph))).isEmpty();
        Node stepZero = node(13, NodeProto.newBuilder().setOpType("Slice").addInput("x").addInput("one")
                .addInput("one").addInput("").addInput("zero").addOutput("y").build(), GraphProto.newBuilder()
                .addInitializer(OnnxProtos.longTensor("one", new long[] {1}, new long[] {1}))
                .addInitializer(OnnxProtos.longTensor("zero", new long[] {1}, new long[] {0})));
        assertThat(SliceGeometry.of(stepZero, 4, ConstantValues.of(graph))).isEmpty();
    }

    private static int[] sources(String mode) {
        return IntStream.range(-2, 5).map(i -> PadGeometry.source(mode, i, 3)).toArray();
    }

    /** The graph of the last {@link #node} call. */
    private Graph graph;

    /** Loads a model of {@code opset} holding {@code g}'s constants and then {@code node} on x[1,2,3,5]; that node. */
    private Node node(int opset, NodeProto node, GraphProto.Builder g) {
        g.setName("g").addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 2, 3, 5)).addNode(node)
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT));
        ModelProto m = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g).build();
        OnnxModel model = OnnxModel.fromBytes(m.toByteArray(), Path.of("geometry.onnx"), LoadOptions.defaults());
        graph = model.graph();
        List<Node> nodes = graph.nodes();
        return nodes.get(nodes.size() - 1);
    }
}
