package io.dnnvis.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.testdata.Manifest;
import io.dnnvis.testdata.TestData;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The bundled reference models, GlyphNet and a real PaddlePaddle export load, and their layers resolve. */
class ReferenceModelsTest {

    @ParameterizedTest
    @ValueSource(strings = {"alexnet-mini", "lenet", "resnet-mini"})
    void referenceModelLoads(String name) {
        Path file = TestData.referenceModel(name);
        OnnxModel model = OnnxModel.load(file);

        assertThat(model.path()).isEqualTo(file);
        assertThat(model.fileName()).isEqualTo(name + ".onnx");
        assertThat(model.graph().nodes()).isNotEmpty();
        assertThat(model.graph().inputs()).hasSize(1);
        assertThat(model.graph().outputs()).isNotEmpty();
        assertThat(model.graph().initializers()).isNotEmpty();
        assertThat(model.irVersion()).isBetween(OnnxModel.MIN_IR_VERSION, OnnxModel.MAX_IR_VERSION);
        assertThat(model.opset()).isBetween(OnnxModel.MIN_OPSET, OnnxModel.MAX_OPSET);
        assertThat(model.sha256()).hasSize(64).matches("[0-9a-f]+");
        // nothing is external in the reference models, so the runtime proto is the parsed one, graph included
        assertThat(model.runtimeProto().getGraph().getNodeCount()).isEqualTo(model.graph().nodes().size());
        assertTopologicalOrder(model.graph());
    }

    @Test
    void glyphNetLoads() {
        OnnxModel model = OnnxModel.load(TestData.glyphNet());

        assertThat(model.graph().nodes()).isNotEmpty();
        assertThat(model.graph().inputs()).hasSize(1);
        assertThat(model.graph().nodes().stream().map(Node::opType)).contains("Conv");
        assertTopologicalOrder(model.graph());
    }

    static Stream<Manifest.ReferenceCase> manifestCases() {
        return TestData.manifest().cases().stream();
    }

    @ParameterizedTest
    @MethodSource("manifestCases")
    void manifestLayerResolvesByAliasNodeNameAndTensor(Manifest.ReferenceCase c) {
        Graph graph = OnnxModel.load(c.model()).graph();
        Manifest.Layer expected = c.layer();

        Layer byAlias = graph.layer(expected.alias());
        assertThat(byAlias.alias()).isEqualTo(expected.alias());
        assertThat(byAlias.tensor()).isEqualTo(expected.tensor());
        assertThat(byAlias.nodeName()).isEqualTo(expected.node());
        assertThat(byAlias.op()).isEqualTo(expected.op());

        Layer byNode = graph.layer(expected.node());
        assertThat(byNode.node()).isEqualTo(byAlias.node());
        assertThat(byNode.tensor()).isEqualTo(expected.tensor());

        Layer byTensor = graph.layer(expected.tensor());
        assertThat(byTensor.node()).isEqualTo(byAlias.node());
        assertThat(byTensor.tensor()).isEqualTo(expected.tensor());

        assertThat(graph.producer(expected.tensor())).contains(byAlias.node());
    }

    @Test
    void manifestCoversEveryReferenceModel() {
        assertThat(TestData.manifest().cases().stream().map(Manifest.ReferenceCase::modelName).distinct())
                .containsExactlyInAnyOrder("alexnet-mini", "lenet", "resnet-mini");
    }

    @Test
    void alexnetMiniHasTheAlexNetAliases() {
        Graph graph = OnnxModel.load(TestData.referenceModel("alexnet-mini")).graph();
        List<String> aliases = graph.layers().stream().map(Layer::alias).toList();

        assertThat(aliases).contains("conv1", "conv2", "conv3", "conv4", "conv5", "lrn1", "lrn2",
                "maxpool1", "maxpool2", "maxpool3", "gemm1", "gemm2", "gemm3");
        assertThat(aliases).doesNotContain("conv6", "lrn3", "maxpool4", "gemm4");
        assertThat(graph.layer("conv1").op()).isEqualTo("Conv");
        assertThat(graph.layer("lrn2").op()).isEqualTo("LRN");
        assertThat(graph.layer("maxpool3").op()).isEqualTo("MaxPool");
        assertThat(graph.layer("gemm3").op()).isEqualTo("Gemm");
        // aliases are case-insensitive
        assertThat(graph.layer("CONV4").node()).isEqualTo(graph.layer("conv4").node());
        // the convolutions come in file order
        List<Integer> convIndexes = Stream.of("conv1", "conv2", "conv3", "conv4", "conv5")
                .map(a -> graph.layer(a).node().fileIndex()).toList();
        assertThat(convIndexes).isSorted();
    }

    @Test
    void unknownLayerNamesTheNearestAliases() {
        Graph graph = OnnxModel.load(TestData.referenceModel("alexnet-mini")).graph();

        assertThatThrownBy(() -> graph.layer("conv9"))
                .isInstanceOf(UnknownLayerException.class)
                .hasMessageStartingWith("no layer 'conv9' (not an alias, node name or tensor name); nearest: conv1, ");
    }

    @Test
    void paddlePaddleModelLoads(@TempDir Path dir) {
        Path file = TestData.copyResource(TestData.PADDLE_CLS_RESOURCE, dir);
        assertThat(file.getFileName().toString()).isEqualTo("ch_ppocr_mobile_v2.0_cls_infer.onnx");

        OnnxModel model = OnnxModel.load(file);

        assertThat(model.graph().nodes().size()).isGreaterThan(0);
        Set<String> ops = model.graph().nodes().stream().map(Node::opType).collect(Collectors.toSet());
        assertThat(ops).contains("Conv", "BatchNormalization", "HardSigmoid");
        assertTopologicalOrder(model.graph());
    }

    /** Every node input is a graph input, an initializer or the output of an earlier node. */
    private static void assertTopologicalOrder(Graph graph) {
        Set<String> available = new HashSet<>(graph.initializers().keySet());
        graph.inputs().forEach(v -> available.add(v.name()));
        for (Node n : graph.nodes()) {
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    assertThat(available).as("input '%s' of node %s", in, n.describe()).contains(in);
                }
            }
            available.addAll(n.outputs());
        }
    }
}
