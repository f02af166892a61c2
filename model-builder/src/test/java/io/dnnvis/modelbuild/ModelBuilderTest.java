package io.dnnvis.modelbuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.Attribute;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelBuilderTest {

    /** x[N,3,8,8] -> conv -> bn -> relu -> conv -> add(skip) -> maxpool -> flatten -> gemm -> y[N,10]. */
    private static ModelBuilder residualCnn(long seed) {
        Random rnd = new Random(seed);
        ModelBuilder b = ModelBuilder.create(13).name("residual").producer("dnnvis-test").metadata("seed", "" + seed);
        String x = b.input("x", -1, 3, 8, 8);
        String skip = b.relu(b.batchNorm(b.conv(x, 3, 8, 3, 1, 1, 1, rnd), 8, rnd));
        String sum = b.add(b.conv(skip, 8, 8, 3, 1, 1, 1, rnd), skip);
        String flat = b.flatten(b.maxPool(sum, 2, 2, 0, false), 1);
        b.output(b.gemm(flat, 8 * 4 * 4, 10, rnd), -1, 10);
        return b;
    }

    @Test
    void residualCnnLoadsWithExpectedNodesAliasesAndInitializers() {
        OnnxModel model = residualCnn(7).load();
        Graph graph = model.graph();

        assertThat(model.fileName()).isEqualTo("residual.onnx");
        assertThat(model.opset()).isEqualTo(13);
        assertThat(model.irVersion()).isEqualTo(8);
        assertThat(model.producerName()).isEqualTo("dnnvis-test");
        assertThat(model.metadata()).containsExactly(Map.entry("seed", "7"));
        assertThat(graph.name()).isEqualTo("residual");
        assertThat(graph.nodes()).extracting(Node::opType).containsExactly(
                "Conv", "BatchNormalization", "Relu", "Conv", "Add", "MaxPool", "Flatten", "Gemm");
        assertThat(graph.nodes()).extracting(Node::name).containsExactly(
                "Conv_1", "BatchNormalization_1", "Relu_1", "Conv_2", "Add_1", "MaxPool_1", "Flatten_1", "Gemm_1");
        assertThat(graph.layers()).extracting(Layer::alias).containsExactly(
                "conv1", "batchnormalization1", "relu1", "conv2", "add1", "maxpool1", "flatten1", "gemm1");
        for (String alias : List.of("conv1", "conv2", "batchnormalization1", "add1", "gemm1")) {
            assertThat(graph.findLayer(alias)).as(alias).isPresent();
        }

        Node add = graph.layer("add1").node();
        assertThat(add.inputs()).containsExactly("Conv_2_out", "Relu_1_out");
        assertThat(graph.consumers("Relu_1_out")).extracting(Node::name).containsExactly("Conv_2", "Add_1");

        Node conv1 = graph.layer("conv1").node();
        assertThat(conv1.inputs()).containsExactly("x", "Conv_1_W", "Conv_1_B");
        assertThat(conv1.intsAttribute("kernel_shape")).hasValueSatisfying(v -> assertThat(v).containsExactly(3, 3));
        assertThat(conv1.intsAttribute("pads")).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 1, 1, 1));
        assertThat(conv1.intAttribute("group", -1)).isEqualTo(1);
        assertThat(graph.layer("gemm1").node().intAttribute("transB", 0)).isEqualTo(1);
        assertThat(graph.layer("batchnormalization1").node().attribute("epsilon"))
                .hasValueSatisfying(a -> assertThat(a.asFloat()).isEqualTo(1e-5f));

        Map<String, Tensor> init = graph.initializers();
        assertThat(init.keySet()).containsExactly("Conv_1_W", "Conv_1_B",
                "BatchNormalization_1_scale", "BatchNormalization_1_bias", "BatchNormalization_1_mean",
                "BatchNormalization_1_var", "Conv_2_W", "Conv_2_B", "Gemm_1_W", "Gemm_1_B");
        assertThat(init.get("Conv_1_W").dims()).containsExactly(8, 3, 3, 3);
        assertThat(init.get("Conv_1_B").dims()).containsExactly(8);
        assertThat(init.get("BatchNormalization_1_var").dims()).containsExactly(8);
        assertThat(init.get("Conv_2_W").dims()).containsExactly(8, 8, 3, 3);
        assertThat(init.get("Gemm_1_W").dims()).containsExactly(10, 128);
        assertThat(init.get("Gemm_1_B").dims()).containsExactly(10);
        assertThat(init.values()).allSatisfy(t -> assertThat(t.type()).isEqualTo(DataType.FLOAT));

        float heBound = (float) Math.sqrt(6.0 / (3 * 3 * 3));
        assertThat(boxed(init.get("Conv_1_W").toFloatArray()))
                .allSatisfy(v -> assertThat(v).isBetween(-heBound, heBound));
        assertThat(boxed(init.get("BatchNormalization_1_var").toFloatArray()))
                .allSatisfy(v -> assertThat(v).isBetween(0.5f, 1.5f));

        assertThat(graph.inputs()).singleElement().satisfies(in -> {
            assertThat(in.name()).isEqualTo("x");
            assertThat(in.elemType()).contains(DataType.FLOAT);
            assertThat(in.shape()).contains(List.of(Dim.symbolic("N"), Dim.fixed(3), Dim.fixed(8), Dim.fixed(8)));
        });
        assertThat(graph.outputs()).extracting(ValueInfo::name).containsExactly("Gemm_1_out");
        assertThat(graph.outputs().get(0).shape()).contains(List.of(Dim.symbolic("N"), Dim.fixed(10)));
    }

    @Test
    void sameSeedGivesByteIdenticalModelsAndAnotherSeedDoesNot() {
        byte[] first = residualCnn(42).toBytes();
        byte[] second = residualCnn(42).toBytes();
        byte[] other = residualCnn(43).toBytes();

        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void clipUsesAttributesBeforeOpset11() {
        ModelBuilder b = ModelBuilder.create(10);
        b.output(b.clip(b.input("x", 1, 4), 0f, 6f));
        Node clip = b.load().graph().layer("clip1").node();

        assertThat(clip.inputs()).containsExactly("x");
        assertThat(clip.attribute("min")).map(Attribute::asFloat).contains(0f);
        assertThat(clip.attribute("max")).map(Attribute::asFloat).contains(6f);
    }

    @Test
    void clipUsesScalarInitializerInputsFromOpset11() {
        ModelBuilder b = ModelBuilder.create(13);
        b.output(b.clip(b.input("x", 1, 4), -1f, 6f));
        Graph graph = b.load().graph();
        Node clip = graph.layer("clip1").node();

        assertThat(clip.attributes()).isEmpty();
        assertThat(clip.inputs()).containsExactly("x", "Clip_1_min", "Clip_1_max");
        assertThat(graph.initializers().get("Clip_1_min").dims()).isEmpty();
        assertThat(graph.initializers().get("Clip_1_min").toFloatArray()).containsExactly(-1f);
        assertThat(graph.initializers().get("Clip_1_max").toFloatArray()).containsExactly(6f);
    }

    @ParameterizedTest
    @CsvSource({"7, 8", "13, 8", "17, 8", "18, 9", "20, 9", "21, 10", "24, 10"})
    void irVersionFollowsOpset(long opset, long ir) {
        ModelBuilder b = ModelBuilder.create(opset);
        b.output(b.relu(b.input("x", 1, 2)));

        assertThat(ModelBuilder.irVersionFor(opset)).isEqualTo(ir);
        assertThat(b.build().getIrVersion()).isEqualTo(ir);
        assertThat(b.build().getOpsetImport(0).getVersion()).isEqualTo(opset);
        // opset 7 and 8 models are read as opset 9
        assertThat(b.load().opset()).isEqualTo(Math.max(opset, 9));
    }

    @Test
    void everyLayerMethodProducesALoadableNode() {
        Random rnd = new Random(1);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 4, 8, 8);
        String grouped = b.conv(x, 4, 8, 3, 2, 1, 2, rnd);
        String dilated = b.convDilated(grouped, 8, 8, 3, 1, 2, 2, 1, rnd);
        String pooled = b.avgPool(b.lrn(b.relu(dilated), 5, 1e-4f, 0.75f, 1f), 2, 2, 0, true);
        String gate = b.hardSigmoid(b.sigmoid(pooled), 0.2f, 0.5f);
        String both = b.concat(1, b.mul(pooled, gate), pooled);
        String ceil = b.maxPool(both, 3, 2, 0, true);
        String flat = b.reshape(b.globalAvgPool(ceil), 1, -1);
        b.output(b.softmax(b.gemm(flat, 16, 3, rnd), 1));
        List<String> halves = b.nodeMulti("Split", List.of(both), 2, OnnxProtos.intAttr("axis", 1));
        b.output(halves.get(1));
        Graph graph = b.load().graph();

        assertThat(halves).containsExactly("Split_1_out0", "Split_1_out1");
        assertThat(graph.initializers().get("Conv_1_W").dims()).containsExactly(8, 2, 3, 3);
        assertThat(graph.layer("conv2").node().intsAttribute("dilations"))
                .hasValueSatisfying(v -> assertThat(v).containsExactly(2, 2));
        assertThat(graph.layer("maxpool1").node().intAttribute("ceil_mode", 0)).isEqualTo(1);
        assertThat(graph.layer("averagepool1").node().intAttribute("count_include_pad", 0)).isEqualTo(1);
        assertThat(graph.initializers().get("Reshape_1_shape").toLongArray()).containsExactly(1, -1);
        assertThat(graph.layer("lrn1").node().intAttribute("size", 0)).isEqualTo(5);
        assertThat(graph.outputs()).extracting(ValueInfo::name).containsExactly("Softmax_1_out", "Split_1_out1");
    }

    @Test
    void genericNodesGetFreshNamesThatSkipNamesTheCallerTook() {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 2);
        b.initializer("Relu_1_out", new long[] {2}, new float[] {1, 2});
        String y = b.node("Relu", List.of(x));
        String z = b.node("Relu", List.of(y));
        b.output(b.add(z, "Relu_1_out"));

        assertThat(y).isEqualTo("Relu_2_out");
        assertThat(z).isEqualTo("Relu_3_out");
        assertThat(b.build().getGraph().getNodeList()).extracting(n -> n.getName())
                .containsExactly("Relu_2", "Relu_3", "Add_1");
        assertThat(b.load().graph().nodes()).hasSize(3);
    }

    @Test
    void mistakesAreRefusedWhereTheyAreMade() {
        ModelBuilder b = ModelBuilder.create(9);
        String x = b.input("x", 1, 3, 4, 4);

        assertThatThrownBy(() -> b.input("x", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x' is already used");
        assertThatThrownBy(() -> b.relu("typo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'typo'");
        assertThatThrownBy(() -> b.initializer("w", new long[] {2, 2}, new float[3]))
                .hasMessageContaining("holds 4 values, got 3");
        assertThatThrownBy(() -> b.conv(x, 3, 8, 3, 1, 1, 2, new Random(0))).hasMessageContaining("group 2");
        assertThatThrownBy(() -> b.maxPool(x, 2, 2, 0, true)).hasMessageContaining("opset 10");
        assertThatThrownBy(() -> b.clip(x, 6f, 0f)).hasMessageContaining("must not exceed");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("no outputs");
        assertThatThrownBy(() -> ModelBuilder.create(OnnxModel.MAX_OPSET + 1))
                .isInstanceOf(IllegalArgumentException.class);
        b.output(x);
        assertThatThrownBy(() -> b.output(x)).hasMessageContaining("already a graph output");
        // nothing of the refused calls leaked into the graph
        ModelProto model = b.build();
        assertThat(model.getGraph().getNodeCount()).isZero();
        assertThat(model.getGraph().getInitializerCount()).isZero();
    }

    @Test
    void randomInitializerStaysWithinScale() {
        ModelBuilder b = ModelBuilder.create(13);
        b.output(b.add(b.input("x", 4, 5), b.randomInitializer("w", new Random(3), 0.25, 4, 5)));
        float[] w = b.load().graph().initializers().get("w").toFloatArray();

        assertThat(boxed(w)).hasSize(20).allSatisfy(v -> assertThat(v).isBetween(-0.25f, 0.25f));
        assertThat(w).isNotEqualTo(new float[20]);
    }

    @Test
    void writtenFileLoadsAndEqualsTheBytes(@TempDir Path dir) throws IOException {
        ModelBuilder b = residualCnn(5);
        Path file = dir.resolve("residual.onnx");
        b.write(file);

        assertThat(file).hasBinaryContent(b.toBytes());
        assertThat(OnnxModel.load(file).graph().nodes()).hasSize(8);
    }

    private static List<Float> boxed(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
