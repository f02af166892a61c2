package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.onnx.Attribute;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.testdata.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code layers}: Constant nodes hidden unless --all, --op filtering, attributes and parameter counts. */
class LayersFilterTest {

    @TempDir
    static Path dir;

    private static Path paddle;
    private static OnnxModel paddleModel;

    @BeforeAll
    static void copyPaddleModel() {
        paddle = TestData.copyResource(TestData.PADDLE_CLS_RESOURCE, dir);
        paddleModel = OnnxModel.load(paddle);
    }

    @Test
    void alexnetShowsEachConvolutionsWindowAndItsWeightCount() throws Exception {
        Path file = TestData.referenceModel("alexnet-mini");
        OnnxModel model = OnnxModel.load(file);
        JsonNode root = json("layers", file.toString(), "--json");
        int convs = 0;
        for (JsonNode layer : root.get("layers")) {
            Node node = model.graph().layer(layer.get("alias").asText()).node();
            assertThat(layer.get("params").asLong()).as(node.name()).isEqualTo(initializerElements(model, node));
            if (node.opType().equals("Conv")) {
                convs++;
                JsonNode a = layer.get("attributes");
                Tensor weight = model.graph().initializers().get(node.inputs().get(1));
                assertThat(longs(a.get("kernel_shape")))
                        .isEqualTo(Arrays.copyOfRange(weight.dims(), 2, weight.dims().length));
                assertThat(longs(a.get("strides"))).isEqualTo(node.intsAttribute("strides").orElseThrow());
                assertThat(longs(a.get("pads"))).isEqualTo(node.intsAttribute("pads").orElseThrow());
                assertThat(a.get("group").asLong()).isEqualTo(node.intAttribute("group", 1));
                assertThat(layer.get("params").asLong()).isPositive();
            }
        }
        assertThat(convs).isEqualTo(5);
        CliRun table = CliRun.of("layers", file.toString(), "--op", "conv");
        assertThat(table.out()).containsPattern("conv2 .* group=2\\R");
    }

    @Test
    void paddleHidesConstantsUnlessAll() throws Exception {
        long constants = paddleModel.graph().nodes().stream().filter(n -> n.opType().equals("Constant")).count();
        int nodes = paddleModel.graph().nodes().size();
        assertThat(constants).isGreaterThan(nodes / 3);
        JsonNode shown = json("layers", paddle.toString(), "--input-size", "48x192", "--json");
        assertThat(ops(shown)).doesNotContain("Constant").hasSize(nodes - (int) constants);
        JsonNode all = json("layers", paddle.toString(), "--input-size", "48x192", "--json", "--all");
        assertThat(ops(all)).contains("Constant").hasSize(nodes);
        CliRun table = CliRun.of("layers", paddle.toString(), "--input-size", "48x192");
        assertThat(table.out()).contains(constants + " Constant nodes hidden (--all shows them)")
                .doesNotContain("  Constant  ");
    }

    @Test
    void paddleFiltersByOpIgnoringCaseAndCountsConstantWeights() throws Exception {
        JsonNode root = json("layers", paddle.toString(), "--input-size", "48x192", "--json", "--op", "CONV,matmul");
        List<String> ops = ops(root);
        assertThat(Set.copyOf(ops)).containsExactlyInAnyOrder("Conv", "MatMul");
        assertThat(ops).hasSize((int) paddleModel.graph().nodes().stream()
                .filter(n -> n.opType().equals("Conv") || n.opType().equals("MatMul")).count());
        for (JsonNode layer : root.get("layers")) {
            Node node = paddleModel.graph().layer(layer.get("alias").asText()).node();
            long expected = 0;
            for (String in : node.inputs()) {
                expected += paddleModel.graph().producer(in).filter(p -> p.opType().equals("Constant"))
                        .map(p -> p.attribute("value").map(Attribute::asTensor).orElseThrow().elementCount())
                        .orElse(0L);
            }
            assertThat(expected).as(node.name()).isPositive();
            assertThat(layer.get("params").asLong()).as(node.name()).isEqualTo(expected);
        }
    }

    @Test
    void anOpTheModelLacksIsRefusedInOneLine() {
        CliRun run = CliRun.of("layers", TestData.referenceModel("alexnet-mini").toString(), "--op", "conv2d");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err()).contains("--op:", "no conv2d node", "Conv", "Gemm");
        assertThat(run.out()).isEmpty();
    }

    private static long initializerElements(OnnxModel model, Node node) {
        long total = 0;
        for (String in : node.inputs()) {
            Tensor t = model.graph().initializers().get(in);
            // weights: float tensors of rank 1 and more, not shapes, axes or pads
            total += t == null || !t.type().isFloatingPoint() || t.dims().length == 0 ? 0 : t.elementCount();
        }
        return total;
    }

    private static JsonNode json(String... args) throws Exception {
        CliRun run = CliRun.of(args);
        assertThat(run.code()).as(run.err()).isZero();
        return new ObjectMapper().readTree(run.out());
    }

    private static List<String> ops(JsonNode root) {
        List<String> out = new ArrayList<>();
        root.get("layers").forEach(l -> out.add(l.get("op").asText()));
        return out;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = array.get(k).asLong();
        }
        return out;
    }
}
