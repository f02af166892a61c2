package io.dnnvis.methods.occlusion;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.Trace;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An occluder's changed regions against an independent computation: the positions of every tensor
 * whose value moves when the window's pixels change (two forward passes). Every changed position
 * lies in the region (the region is sound), and on graphs without max pooling the region is the
 * bounding box of those positions (it is tight).
 */
class ChangedRegionsTest {

    private static final long[] INPUT = {1, 2, 29, 31};

    @Test
    void stridedPaddedDilatedChains() {
        for (long seed = 0; seed < 4; seed++) {
            Random rnd = new Random(seed);
            ModelBuilder b = ModelBuilder.create(13);
            String x = b.input("x", INPUT);
            String c1 = b.conv(x, 2, 3, 3, 1, 1, 1, rnd);
            String c2 = b.convDilated(c1, 3, 4, 3, 2, 2, 2, 1, rnd);
            String p = b.avgPool(c2, 3, 2, 1, true);
            String c3 = b.conv(p, 4, 3, 5, 1, 0, 1, rnd);
            b.output(b.conv(c3, 3, 2, 1, 1, 0, 1, rnd));
            check(b.load(), seed, true);
        }
    }

    @Test
    void residualAndConcatenatedBranches() {
        for (long seed = 0; seed < 4; seed++) {
            Random rnd = new Random(seed + 10);
            ModelBuilder b = ModelBuilder.create(13);
            String x = b.input("x", INPUT);
            String a = b.conv(x, 2, 3, 3, 1, 1, 1, rnd);
            String residual = b.add(a, b.conv(b.conv(a, 3, 3, 3, 1, 1, 1, rnd), 3, 3, 5, 1, 2, 1, rnd));
            String wide = b.concat(1, b.conv(residual, 3, 2, 3, 2, 1, 1, rnd), b.conv(residual, 3, 2, 7, 2, 3, 1, rnd));
            b.output(b.conv(wide, 4, 2, 3, 1, 0, 1, rnd));
            check(b.load(), seed, true);
        }
    }

    /** Pads of every mode (edge, reflect and wrap copy the changed rows into the pads too) and Slices. */
    @Test
    void padsAndSlices() {
        int seed = 20;
        for (String mode : List.of("constant", "edge", "reflect")) {
            Random rnd = new Random(seed);
            ModelBuilder b = ModelBuilder.create(13);
            String x = b.input("x", INPUT);
            String padded = b.node("Pad", List.of(x, b.initializerLongs("p", new long[] {8},
                    new long[] {0, 0, 3, 1, 0, 0, 2, 4})), io.dnnvis.onnx.build.OnnxProtos.stringAttr("mode", mode));
            String c = b.conv(padded, 2, 3, 3, 1, 0, 1, rnd);
            String sliced = b.node("Slice", List.of(c, b.initializerLongs("s0", new long[] {2}, new long[] {2, 1}),
                    b.initializerLongs("s1", new long[] {2}, new long[] {-3, 100}),
                    b.initializerLongs("s2", new long[] {2}, new long[] {2, 3}),
                    b.initializerLongs("s3", new long[] {2}, new long[] {1, 2})));
            b.output(b.conv(sliced, 3, 2, 3, 1, 1, 1, rnd));
            check(b.load(), seed++, true);
        }
    }

    @Test
    void maxPoolingIsCoveredSoundly() {
        Random rnd = new Random(5);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", INPUT);
        String c = b.relu(b.conv(x, 2, 4, 3, 1, 1, 1, rnd));
        b.output(b.conv(b.maxPool(c, 3, 2, 1, false), 4, 2, 3, 1, 1, 1, rnd));
        check(b.load(), 5, false);
    }

    @Test
    void anOpThatMixesPositionsChangesEverythingAfterIt() {
        Random rnd = new Random(2);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", INPUT);
        String pooled = b.globalAvgPool(b.conv(x, 2, 3, 3, 1, 1, 1, rnd));
        String out = b.add(pooled, b.conv(x, 2, 3, 3, 1, 1, 1, rnd));
        b.output(out);
        OnnxModel model = b.load();
        try (Tracer tracer = Tracer.open(model)) {
            Map<String, long[]> shapes = new HashMap<>(tracer.shapes(Map.of("x", INPUT)));
            shapes.put("x", INPUT);
            Map<String, ChangedRegions.Region> regions = new ChangedRegions(model.graph(), model.opset(), shapes, 2, 3)
                    .from(3, 4, 5, 6);
            assertThat(regions.get(pooled).whole()).isTrue();
            assertThat(regions.get(out).whole()).isTrue();
        }
    }

    /**
     * Ops along the channels of a channels-last map (a reduction with keepdims, MatMul by a constant
     * matrix, Softmax along the last axis) keep each window's box; Softmax over axis 1 of a
     * channels-first map reads one axis from opset 13 on, but before that every axis from 1 on, rows and
     * columns too: its output changes whole. A reduction without keepdims, or over the rows, changes
     * whole too.
     */
    @Test
    void opsAlongTheChannelsKeepTheBox() {
        for (int opset : new int[] {11, 13}) {
            Random rnd = new Random(3 + opset);
            ModelBuilder b = ModelBuilder.create(opset);
            String x = b.input("x", INPUT);
            String nhwc = b.node("Transpose", List.of(b.conv(x, 2, 4, 3, 1, 1, 1, rnd)), intsAttr("perm", 0, 2, 3, 1));
            String summed = opset < 13 ? b.node("ReduceSum", List.of(nhwc), intsAttr("axes", 3))
                    : b.node("ReduceSum", List.of(nhwc, b.initializerLongs("axes", new long[] {1}, new long[] {-1})));
            String mixed = b.node("MatMul", List.of(b.add(nhwc, summed), b.randomInitializer("m", rnd, 0.5, 4, 6)));
            String soft = b.node("Softmax", List.of(mixed), intAttr("axis", 3));
            String back = b.node("Transpose", List.of(soft), intsAttr("perm", 0, 3, 1, 2));
            String channels = b.node("Softmax", List.of(back), intAttr("axis", 1));
            String flat = b.node("ReduceMax", List.of(back), intsAttr("axes", 1), intAttr("keepdims", 0));
            String rows = b.node("ReduceMax", List.of(back), intsAttr("axes", 2));
            b.output(b.conv(channels, 6, 2, 3, 1, 1, 1, rnd));
            b.output(flat);
            b.output(rows);
            OnnxModel model = b.load();
            try (Tracer tracer = Tracer.open(model)) {
                Map<String, long[]> shapes = new HashMap<>(tracer.shapes(Map.of("x", INPUT)));
                shapes.put("x", INPUT);
                Map<String, ChangedRegions.Region> regions = new ChangedRegions(model.graph(), model.opset(), shapes,
                        2, 3).from(3, 4, 5, 6);
                float[] image = new float[2 * 29 * 31];
                for (int i = 0; i < image.length; i++) {
                    image[i] = (float) rnd.nextGaussian();
                }
                float[] occluded = image.clone();
                for (int c = 0; c < 2; c++) {
                    for (int y = 3; y <= 5; y++) {
                        for (int xx = 4; xx <= 6; xx++) {
                            occluded[(c * 29 + y) * 31 + xx] = 50f;
                        }
                    }
                }
                float[] before = tracer.trace(new TensorValue("x", INPUT, image), List.of(back)).get(back).data();
                float[] after = tracer.trace(new TensorValue("x", INPUT, occluded), List.of(back)).get(back).data();
                compare(back, shapes.get(back), before, after, regions.get(back), true);
                assertThat(regions.get(back).y0()).as("the 3x3 convolution's projective field").isEqualTo(2);
                assertThat(regions.get(channels).whole()).as("opset %d", opset).isEqualTo(opset < 13);
                assertThat(regions.get(flat).whole()).isTrue();
                assertThat(regions.get(rows).whole()).isTrue();
            }
        }
    }

    /** Random windows: the changed positions of every tensor against its region. */
    private static void check(OnnxModel model, long seed, boolean tight) {
        try (Tracer tracer = Tracer.open(model)) {
            Map<String, long[]> shapes = new HashMap<>(tracer.shapes(Map.of("x", INPUT)));
            shapes.put("x", INPUT);
            ChangedRegions changed = new ChangedRegions(model.graph(), model.opset(), shapes, 2, 3);
            List<String> tensors = new ArrayList<>();
            for (Node n : model.graph().nodes()) {
                tensors.add(n.output());
            }
            Random rnd = new Random(seed);
            float[] x = new float[2 * 29 * 31];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            Trace before = tracer.trace(new TensorValue("x", INPUT, x), tensors);
            for (int trial = 0; trial < 6; trial++) {
                int h = 1 + rnd.nextInt(6);
                int w = 1 + rnd.nextInt(6);
                int y0 = rnd.nextInt(29 - h + 1);
                int x0 = rnd.nextInt(31 - w + 1);
                float[] occluded = x.clone();
                for (int c = 0; c < 2; c++) {
                    for (int y = y0; y < y0 + h; y++) {
                        for (int xx = x0; xx < x0 + w; xx++) {
                            occluded[(c * 29 + y) * 31 + xx] = 50f + 10f * c;
                        }
                    }
                }
                Trace after = tracer.trace(new TensorValue("x", INPUT, occluded), tensors);
                Map<String, ChangedRegions.Region> regions = changed.from(y0, x0, y0 + h - 1, x0 + w - 1);
                for (String t : tensors) {
                    compare(t, shapes.get(t), before.get(t).data(), after.get(t).data(), regions.get(t), tight);
                }
            }
        }
    }

    private static void compare(String tensor, long[] shape, float[] a, float[] b, ChangedRegions.Region region,
            boolean tight) {
        int channels = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int minY = Integer.MAX_VALUE;
        int minX = Integer.MAX_VALUE;
        int maxY = -1;
        int maxX = -1;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = (c * h + y) * w + x;
                    if (Math.abs(a[i] - b[i]) > 1e-4 * (1 + Math.abs(a[i]))) {
                        minY = Math.min(minY, y);
                        maxY = Math.max(maxY, y);
                        minX = Math.min(minX, x);
                        maxX = Math.max(maxX, x);
                    }
                }
            }
        }
        assertThat(region).as(tensor).isNotNull();
        assertThat(region.whole()).as(tensor).isFalse();
        if (maxY >= 0) {
            assertThat(minY).as("%s rows from", tensor).isGreaterThanOrEqualTo(region.y0());
            assertThat(maxY).as("%s rows to", tensor).isLessThanOrEqualTo(region.y1());
            assertThat(minX).as("%s columns from", tensor).isGreaterThanOrEqualTo(region.x0());
            assertThat(maxX).as("%s columns to", tensor).isLessThanOrEqualTo(region.x1());
        }
        if (tight) {
            assertThat(new int[] {minY, minX, maxY, maxX}).as(tensor)
                    .containsExactly(region.y0(), region.x0(), region.y1(), region.x1());
        }
    }
}
