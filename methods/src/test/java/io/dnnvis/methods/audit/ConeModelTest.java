package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.NeuronBatches;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The windowed model of a layer's cone ({@link ConeModel}) sends back the whole graph's signal: for
 * positions all over the map (its corners and edges included), each method's reconstruction on the
 * window equals the whole map's inside the window, and the whole map's is zero outside it.
 */
class ConeModelTest {

    /** Compares the windowed and whole-map reconstructions of {@code units} at (ys, xs) of {@code layer}. */
    static void assertSameAsWholeMaps(Visualizer vis, TensorValue image, String layer, int[] units, int[] ys, int[] xs) {
        String tensor = vis.model().graph().tensor(layer);
        Map<String, long[]> shapes = vis.shapes(image.shape());
        // whatever its cost: deep layers of these small images see the whole image
        ConeModel cone = ConeModel.of(vis.model(), shapes, tensor, Double.POSITIVE_INFINITY).orElseThrow();
        long[] imageShape = image.shape();
        int channels = (int) imageShape[1];
        int height = (int) imageShape[2];
        int width = (int) imageShape[3];
        int n = units.length;
        int signals = 0;
        try (Visualizer coneVis = Visualizer.open(cone.model(), EngineOptions.defaults(), InputLayout.NCHW)) {
            for (BackwardMethod method : BackwardMethod.values()) {
                float[] whole = NeuronBatches.runOnOneImage(vis, method, tensor, image, units, ys, xs).data();
                TensorValue windowed = NeuronBatches.runOnImages(coneVis, method, tensor,
                        cone.inputs(Collections.nCopies(n, image), ys, xs), 1, units, new int[n], new int[n]);
                int h = (int) windowed.shape()[2];
                int w = (int) windowed.shape()[3];
                assertThat(windowed.shape()[1]).isEqualTo(channels + 2);
                float[] win = windowed.data();
                for (int k = 0; k < n; k++) {
                    int top = cone.top(ys[k]);
                    int left = cone.left(xs[k]);
                    double scale = 0;
                    for (int i = 0; i < channels * height * width; i++) {
                        scale = Math.max(scale, Math.abs(whole[k * channels * height * width + i]));
                    }
                    double worst = 0;
                    for (int c = 0; c < channels; c++) {
                        for (int y = 0; y < height; y++) {
                            for (int x = 0; x < width; x++) {
                                float expected = whole[((k * channels + c) * height + y) * width + x];
                                boolean inside = y >= top && y < top + h && x >= left && x < left + w;
                                float got = inside ? win[((k * (channels + 2) + c) * h + y - top) * w + x - left] : 0;
                                worst = Math.max(worst, Math.abs(got - expected));
                            }
                        }
                    }
                    // a SaliNet signal can be zero (the unit's Relu off): then the window's must be too
                    assertThat(scale == 0 ? worst : worst / scale)
                            .as("%s %s unit %d at (%d, %d)", layer, method, units[k], ys[k], xs[k]).isLessThan(1e-5);
                    signals += scale > 0 ? 1 : 0;
                }
            }
        }
        assertThat(signals).as(layer + ": rows with a signal").isGreaterThan(n);
    }

    /** Positions of a {@code [1, C, h, w]} layer: its four corners, edges, the centre and random ones. */
    static int[][] positions(long[] layer, int count, long seed) {
        int h = (int) layer[2];
        int w = (int) layer[3];
        List<int[]> p = new ArrayList<>(List.of(new int[] {0, 0}, new int[] {0, w - 1}, new int[] {h - 1, 0},
                new int[] {h - 1, w - 1}, new int[] {h / 2, w / 2}, new int[] {0, w / 2}, new int[] {h / 2, w - 1}));
        Random random = new Random(seed);
        while (p.size() < count) {
            p.add(new int[] {random.nextInt(h), random.nextInt(w)});
        }
        int[] units = new int[p.size()];
        int[] ys = new int[p.size()];
        int[] xs = new int[p.size()];
        for (int k = 0; k < p.size(); k++) {
            units[k] = random.nextInt((int) layer[1]);
            ys[k] = p.get(k)[0];
            xs[k] = p.get(k)[1];
        }
        return new int[][] {units, ys, xs};
    }

    @Test
    void glyphNetsConesGiveTheWholeMapsSignal() {
        OnnxModel model = OnnxModel.load(TestData.glyphNet());
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            TensorValue image = ImageInput.load(TestData.file("images/glyphs/R.png"), model,
                    ImageInput.Options.defaults(), vis.layout()).tensor();
            for (String layer : List.of("conv1", "relu2", "maxpool2", "conv3", "relu5")) {
                long[] shape = vis.shapes(image.shape()).get(model.graph().tensor(layer));
                int[][] p = positions(shape, 12, layer.hashCode());
                assertSameAsWholeMaps(vis, image, layer, p[0], p[1], p[2]);
            }
        }
    }

    /** {@code body} on a random 3x{@code size}x{@code size} image: every layer it names has a cone equal to the whole maps' signal. */
    private static void assertConesOf(int size, long seed, java.util.function.BiFunction<ModelBuilder, String,
            List<String>> body) {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("image", 1, 3, size, size);
        List<String> layers = body.apply(b, x);
        b.output(layers.get(layers.size() - 1));
        OnnxModel model = b.load();
        Random rnd = new Random(seed);
        float[] data = new float[3 * size * size];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        TensorValue image = TensorValue.owning("image", new long[] {1, 3, size, size}, data);
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults(), InputLayout.NCHW)) {
            for (String layer : layers) {
                long[] shape = vis.shapes(image.shape()).get(layer);
                int[][] p = positions(shape, 10, seed + layer.hashCode());
                assertSameAsWholeMaps(vis, image, layer, p[0], p[1], p[2]);
            }
        }
    }

    @Test
    void stridedDilatedAndPaddedPools() {
        assertConesOf(37, 1, (b, x) -> {
            Random rnd = new Random(11);
            String a = b.relu(b.conv(x, 3, 6, 5, 2, 2, 1, rnd));
            String pooled = b.maxPool(a, 3, 2, 1, false); // ResNet's stem pool: padded
            String c = b.relu(b.convDilated(pooled, 6, 8, 3, 1, 2, 2, 1, rnd));
            String ceil = b.maxPool(c, 2, 2, 0, true);
            String avg = b.avgPool(b.relu(b.conv(ceil, 8, 8, 3, 1, 1, 2, rnd)), 3, 1, 1, true);
            return List.of(a, pooled, c, ceil, avg);
        });
    }

    @Test
    void residualAddsConcatsAndBatchNorm() {
        assertConesOf(29, 2, (b, x) -> {
            Random rnd = new Random(12);
            String stem = b.relu(b.batchNorm(b.conv(x, 3, 8, 3, 2, 1, 1, rnd), 8, rnd));
            String inner = b.relu(b.conv(b.relu(b.conv(stem, 8, 8, 3, 1, 1, 1, rnd)), 8, 8, 3, 1, 1, 1, rnd));
            String residual = b.relu(b.add(stem, inner));
            String narrow = b.conv(residual, 8, 4, 1, 1, 0, 1, rnd);
            String wide = b.conv(residual, 8, 4, 5, 1, 2, 1, rnd);
            String joined = b.relu(b.concat(1, narrow, wide));
            String down = b.maxPool(joined, 3, 2, 0, false);
            return List.of(residual, joined, down, b.conv(down, 8, 5, 3, 1, 1, 1, rnd));
        });
    }

    @Test
    void aPaddedMaxPoolThenOpsThatWouldOverflowOnItsPadding() {
        // outside the map a max-pool of padding alone gives the lowest float; BatchNorm and x * sigmoid(x)
        // would make infinities of it, and NaN in the backward: the pool's output is 0 there instead
        assertConesOf(21, 3, (b, x) -> {
            Random rnd = new Random(13);
            String pooled = b.maxPool(b.conv(x, 3, 6, 3, 1, 1, 1, rnd), 3, 2, 1, false);
            String normed = b.batchNorm(pooled, 6, rnd);
            String silu = b.mul(normed, b.sigmoid(normed));
            return List.of(silu, b.conv(silu, 6, 4, 3, 1, 1, 1, rnd));
        });
    }

    /** Whether the model {@code body} builds (input 3x16x16) has a cone at its output, whatever its cost. */
    private static boolean hasCone(java.util.function.BiFunction<ModelBuilder, String, String> body) {
        return hasCone(Double.POSITIVE_INFINITY, body);
    }

    /** Whether the model {@code body} builds (input 3x16x16) has a cone of a share up to {@code maxShare}. */
    private static boolean hasCone(double maxShare, java.util.function.BiFunction<ModelBuilder, String, String> body) {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("image", 1, 3, 16, 16);
        String out = body.apply(b, x);
        b.output(out);
        OnnxModel model = b.load();
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults(), InputLayout.NCHW)) {
            return ConeModel.of(model, vis.shapes(new long[] {1, 3, 16, 16}), out, maxShare).isPresent();
        }
    }

    @Test
    void opsWithoutAWindowedFormKeepTheWholeMaps() {
        Random rnd = new Random(3);
        assertThat(hasCone((b, x) -> b.conv(b.relu(b.conv(x, 3, 4, 3, 1, 1, 1, rnd)), 4, 4, 3, 1, 1, 1, rnd)))
                .as("a plain chain").isTrue();
        // divisors that count only the real positions of a window at the border
        assertThat(hasCone((b, x) -> b.avgPool(b.conv(x, 3, 4, 3, 1, 1, 1, rnd), 3, 2, 1, false)))
                .as("count_include_pad=0 with pads").isFalse();
        assertThat(hasCone((b, x) -> b.node("AveragePool", List.of(b.conv(x, 3, 4, 3, 1, 1, 1, rnd)),
                io.dnnvis.onnx.build.OnnxProtos.intsAttr("kernel_shape", 3, 3),
                io.dnnvis.onnx.build.OnnxProtos.intsAttr("strides", 2, 2),
                io.dnnvis.onnx.build.OnnxProtos.intAttr("ceil_mode", 1),
                io.dnnvis.onnx.build.OnnxProtos.intAttr("count_include_pad", 1)))).as("ceil_mode").isFalse();
        // constants that vary along the map: an initializer of the map's size, a row along the width
        assertThat(hasCone((b, x) -> b.add(b.conv(x, 3, 4, 3, 1, 1, 1, rnd),
                b.initializer("map", new long[] {1, 1, 16, 16}, new float[256])))).as("[1,1,H,W]").isFalse();
        assertThat(hasCone((b, x) -> b.add(b.conv(x, 3, 4, 3, 1, 1, 1, rnd),
                b.initializer("row", new long[] {16}, new float[16])))).as("[W]").isFalse();
        assertThat(hasCone((b, x) -> b.add(b.conv(x, 3, 4, 3, 1, 1, 1, rnd),
                b.initializer("perChannel", new long[] {4, 1, 1}, new float[4])))).as("[C,1,1]").isTrue();
        // derivatives that are not finite everywhere: NaN outside the map would spread into it
        assertThat(hasCone((b, x) -> b.node("Sqrt", List.of(b.conv(x, 3, 4, 3, 1, 1, 1, rnd))))).as("Sqrt").isFalse();
        assertThat(hasCone((b, x) -> {
            String c = b.conv(x, 3, 4, 3, 1, 1, 1, rnd);
            return b.node("Div", List.of(c, b.sigmoid(c)));
        })).as("a divisor from the image").isFalse();
        assertThat(hasCone((b, x) -> b.globalAvgPool(b.conv(x, 3, 4, 3, 1, 1, 1, rnd)))).as("global pool").isFalse();
        // a layer that sees the whole image and more: its cone would cost more than the whole maps
        java.util.function.BiFunction<ModelBuilder, String, String> wide = (b, x) -> b.conv(b.conv(b.conv(x, 3, 4, 7,
                1, 3, 1, rnd), 4, 4, 7, 1, 3, 1, rnd), 4, 4, 7, 1, 3, 1, rnd);
        assertThat(hasCone(wide)).isTrue();
        assertThat(hasCone(ConeModel.MAX_SHARE, wide)).as("windows wider than the maps").isFalse();
        assertThat(hasCone(ConeModel.MAX_SHARE, (b, x) -> b.conv(x, 3, 4, 3, 1, 1, 1, rnd))).as("one 3x3 conv")
                .isTrue();
    }

    @Test
    void aPathWithAGlobalPoolOrAFlattenHasNoCone() {
        OnnxModel model = OnnxModel.load(TestData.glyphNet());
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            Map<String, long[]> shapes = vis.shapes(new long[] {1, 3, 64, 64});
            assertThat(ConeModel.of(model, shapes, model.graph().tensor("gemm1"))).isEqualTo(Optional.empty());
        }
    }
}
