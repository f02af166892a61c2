package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.testdata.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shapes found segment by segment are the shapes of the whole graph, for any cut; a graph too large to
 * run whole whose shapes no segment can settle is refused.
 */
class SegmentedShapesTest {

    @Test
    void referenceModelsCutIntoSmallSegmentsGiveTheWholeGraphsShapes() {
        for (String name : new String[] {"lenet", "alexnet-mini", "resnet-mini"}) {
            OnnxModel model = OnnxModel.load(TestData.referenceModel(name));
            Map<String, long[]> inputs = Map.of(model.graph().inputs().get(0).name(),
                    model.graph().inputs().get(0).concreteShape(1).orElseThrow());
            assertSameShapes(model, inputs, 3);
        }
    }

    @Test
    void paddlesShapeArithmeticCrossesSegmentBoundaries(@TempDir Path dir) {
        OnnxModel model = OnnxModel.load(TestData.copyResource(TestData.PADDLE_CLS_RESOURCE, dir));
        Map<String, long[]> inputs = Map.of("x", new long[] {1, 3, 48, 192});
        for (int segment : new int[] {5, 37, 100}) {
            assertSameShapes(model, inputs, segment);
        }
    }

    @Test
    void aLongChainIsInferredInSegments() {
        ModelBuilder b = ModelBuilder.create(13).name("chain");
        String x = b.input("x", 1, 2, 3, 3);
        for (int k = 0; k < 3 * SegmentedShapes.SEGMENT_NODES + 5; k++) {
            x = k % 2 == 0 ? b.relu(x) : b.add(x, x);
        }
        b.output(x);
        OnnxModel model = b.load();
        Map<String, long[]> shapes = SegmentedShapes.infer(model, Map.of("x", new long[] {1, 2, 3, 3}),
                EngineOptions.defaults()).orElseThrow();
        assertThat(shapes).hasSize(model.graph().nodes().size());
        assertThat(shapes.values()).allSatisfy(s -> assertThat(s).containsExactly(1, 2, 3, 3));
    }

    @Test
    void aGraphTooLargeToRunWholeWhoseShapesDependOnDataIsRefused() {
        // NonZero's output length depends on the data: no segment can settle the shapes after it
        ModelBuilder b = ModelBuilder.create(13).name("data-dependent");
        String x = b.input("x", 1, 8);
        x = b.node("Cast", List.of(b.node("NonZero", List.of(x))), OnnxProtos.intAttr("to", 1));
        for (int k = 0; k < StaticShapes.WHOLE_GRAPH_NODES; k++) {
            x = b.relu(x);
        }
        b.output(x);
        OnnxModel model = b.load();
        try (Tracer tracer = Tracer.open(model)) {
            assertThatThrownBy(() -> tracer.shapes(Map.of("x", new long[] {1, 8})))
                    .isInstanceOf(ModelRefusedException.class)
                    .hasMessageContaining("cannot be inferred in segments")
                    .hasMessageContaining(String.valueOf(StaticShapes.WHOLE_GRAPH_NODES));
        }
    }

    private static void assertSameShapes(OnnxModel model, Map<String, long[]> inputs, int segment) {
        Map<String, long[]> whole = StaticShapes.infer(model, inputs, EngineOptions.defaults()).orElseThrow();
        Map<String, long[]> cut = SegmentedShapes.infer(model, inputs, EngineOptions.defaults(), segment)
                .orElseThrow();
        assertThat(cut.keySet()).as(model.fileName()).containsExactlyInAnyOrderElementsOf(whole.keySet());
        whole.forEach((tensor, shape) -> assertThat(cut.get(tensor)).as(model.fileName() + " " + tensor)
                .containsExactly(shape));
    }
}
