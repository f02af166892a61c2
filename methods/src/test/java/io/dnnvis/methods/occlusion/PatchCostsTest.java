package io.dnnvis.methods.occlusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.Tracer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The multiply-adds {@link PatchCosts} counts per node, against the formulas by hand. */
class PatchCostsTest {

    @Test
    void convolutionsGroupedOrNotAndMatrixProducts() {
        Random rnd = new Random(1);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 4, 10, 12);
        String conv = b.conv(x, 4, 6, 3, 2, 1, 1, rnd); // [1, 6, 5, 6]: 6 * 4 * 3 * 3 per position
        String grouped = b.conv(conv, 6, 6, 3, 1, 1, 3, rnd); // groups of 2 input channels
        String flat = b.flatten(b.relu(grouped), 1); // 180 values
        String gemm = b.gemm(flat, 180, 7, rnd);
        b.output(gemm);
        OnnxModel model = b.load();
        Map<String, long[]> shapes;
        try (Tracer tracer = Tracer.open(model)) {
            shapes = new HashMap<>(tracer.shapes(Map.of("x", new long[] {1, 4, 10, 12})));
        }
        PatchCosts costs = new PatchCosts(model.graph(), shapes);
        Map<String, Double> macs = new HashMap<>();
        for (Node n : model.graph().nodes()) {
            macs.put(n.output(), costs.fullMacs(n));
        }
        assertThat(macs.get(conv)).isEqualTo(6.0 * 4 * 3 * 3 * 5 * 6);
        assertThat(macs.get(grouped)).isEqualTo(6.0 * 2 * 3 * 3 * 5 * 6);
        assertThat(macs.get(gemm)).isEqualTo(180.0 * 7);
        assertThat(macs.get(flat)).isZero();
    }

    /** Weights in Constant nodes, as PaddlePaddle writes them, count as initializers do. */
    @Test
    void weightsInConstantNodesCount(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        OnnxModel model = OnnxModel.load(io.dnnvis.testdata.TestData.copyResource(
                io.dnnvis.testdata.TestData.PADDLE_CLS_RESOURCE, dir));
        Node conv = model.graph().layer("conv1").node();
        Map<String, long[]> shapes;
        try (Tracer tracer = Tracer.open(model)) {
            shapes = new HashMap<>(tracer.shapes(Map.of(model.graph().inputs().get(0).name(),
                    new long[] {1, 3, 48, 192})));
        }
        long[] out = shapes.get(conv.output());
        long[] w = io.dnnvis.onnx.ConstantValues.of(model.graph()).tensor(conv.inputs().get(1)).orElseThrow().dims();
        assertThat(model.graph().isInitializer(conv.inputs().get(1))).isFalse();
        assertThat(new PatchCosts(model.graph(), shapes).fullMacs(conv))
                .isEqualTo((double) out[1] * w[1] * w[2] * w[3] * out[2] * out[3]).isPositive();
    }
}
