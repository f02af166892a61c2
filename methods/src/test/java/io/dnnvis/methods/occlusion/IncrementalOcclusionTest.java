package io.dnnvis.methods.occlusion;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.core.Target;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardEngine;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Incremental occlusion against the full recompute on random graphs: strides, pads, dilations, max and
 * average pooling, residual adds, concatenations, window sizes and grid strides, layer and score
 * targets. Both run on the same engine; the maps must agree to float rounding.
 */
class IncrementalOcclusionTest {

    private static final long[] INPUT = {1, 3, 37, 41};

    /** Every occlusion case of the reference manifest, patched as far as its graph allows. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("io.dnnvis.methods.occlusion.OcclusionReferenceTest#cases")
    void referenceCasesMatchIncrementally(io.dnnvis.testdata.Manifest.ReferenceCase c) {
        TensorValue input = io.dnnvis.trace.Npy.read(c.input(), "input");
        TensorValue expected = io.dnnvis.trace.Npy.read(c.expected(), "expected");
        try (io.dnnvis.methods.Visualizer vis = io.dnnvis.methods.Visualizer.open(c.model())) {
            OcclusionResult r = vis.occlusion().layer(c.layer().tensor()).window(c.window().orElseThrow())
                    .stride(c.stride().orElseThrow()).incremental(IncrementalMode.ON).run(input);
            assertThat(r.path()).as(c.id()).startsWith("incremental: ");
            assertThat(r.tensor().shape()).containsExactly(expected.shape());
            assertThat(io.dnnvis.testdata.Tolerance.relativeError(r.tensor().data(), expected.data())).as(c.id())
                    .isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void randomGraphsGiveTheFullRecomputesLayerMaps() {
        for (long seed = 0; seed < 6; seed++) {
            Random rnd = new Random(seed);
            Built b = randomGraph(rnd, false);
            int window = 1 + 2 * rnd.nextInt(6);
            int stride = 1 + rnd.nextInt(7);
            compare(b.model, input(rnd), Optional.of(b.watched), Optional.empty(), window, stride, seed);
        }
    }

    @Test
    void randomGraphsGiveTheFullRecomputesScoreMaps() {
        for (long seed = 10; seed < 14; seed++) {
            Random rnd = new Random(seed);
            Built b = randomGraph(rnd, true);
            int window = 1 + 2 * rnd.nextInt(6);
            int stride = 1 + rnd.nextInt(9); // strides above the window leave pixels uncovered (NaN)
            compare(b.model, input(rnd), Optional.empty(), Optional.of(Target.classIndex(rnd.nextInt(5))), window,
                    stride, seed);
            compare(b.model, input(rnd), Optional.of(b.watched), Optional.of(Target.neuron(1, 2, 3)), window, stride,
                    seed);
        }
    }

    /** x * x, x + x, Concat(x, x): a node that reads one changed tensor twice (one input of its patch graph). */
    @Test
    void nodesThatReadATensorTwiceGiveTheFullRecomputesMaps() {
        for (int kind = 0; kind < 3; kind++) {
            Random rnd = new Random(20 + kind);
            ModelBuilder b = ModelBuilder.create(13);
            String x = b.input("x", INPUT);
            String y = b.conv(x, 3, 4, 3, 1, 1, 1, rnd);
            int channels = 4;
            String twice = switch (kind) {
                case 0 -> b.mul(y, y);
                case 1 -> {
                    String r = b.relu(y);
                    yield b.add(r, r);
                }
                default -> {
                    channels = 8;
                    yield b.concat(1, y, y);
                }
            };
            String watched = b.relu(b.conv(twice, channels, 4, 3, 2, 1, 1, rnd));
            b.output(watched);
            OnnxModel model = b.load();
            compare(model, input(rnd), Optional.of(twice), Optional.empty(), 5, 3, kind);
            compare(model, input(rnd), Optional.of(watched), Optional.empty(), 7, 4, kind);
        }
    }

    /**
     * Explicit Pad nodes as TensorFlow exports its SAME padding and ZeroPadding2D (constant, asymmetric,
     * a non-zero constant) and Cropping2D's Slices: patched as windows of one, every node (a Slice of
     * the channels as it is); edge and reflect pads, and a crop by negative pads, end the patched
     * part, and every map is the full recompute's.
     */
    @Test
    void padNodesGiveTheFullRecomputesMaps() {
        for (String mode : List.of("constant", "edge", "reflect", "crop", "slice")) {
            Random rnd = new Random(30 + mode.length());
            ModelBuilder b = ModelBuilder.create(13);
            String x = b.input("x", INPUT);
            String first = b.node("Pad", List.of(x, b.initializerLongs("p1", new long[] {8},
                    new long[] {0, 0, 1, 2, 0, 0, 2, 1}), b.initializer("v1", new long[] {}, new float[] {0.5f})),
                    io.dnnvis.onnx.build.OnnxProtos.stringAttr("mode", "constant"));
            String y = b.relu(b.conv(first, 3, 4, 3, 2, 0, 1, rnd));
            long[] second = mode.equals("crop") ? new long[] {0, 0, -1, 0, 0, 0, 0, -2} : new long[] {0, 0, 0, 0, 0, 0, 1, 1};
            String padded = mode.equals("slice")
                    // Cropping2D: rows 1.. and columns ..-2, then channels 1..3
                    ? b.node("Slice", List.of(b.node("Slice", List.of(y, b.initializerLongs("s0", new long[] {2},
                            new long[] {1, 0}), b.initializerLongs("s1", new long[] {2}, new long[] {100, -2}),
                            b.initializerLongs("s2", new long[] {2}, new long[] {2, 3}))),
                            b.initializerLongs("c0", new long[] {1}, new long[] {1}),
                            b.initializerLongs("c1", new long[] {1}, new long[] {4}),
                            b.initializerLongs("c2", new long[] {1}, new long[] {1})))
                    : b.node("Pad", List.of(y, b.initializerLongs("p2", new long[] {8}, second)),
                            io.dnnvis.onnx.build.OnnxProtos.stringAttr("mode", mode.equals("crop") ? "constant" : mode));
            String watched = b.relu(b.conv(padded, mode.equals("slice") ? 3 : 4, 5, 3, 1, 0, 1, rnd));
            b.output(watched);
            OnnxModel model = b.load();
            OcclusionResult incremental = compare(model, input(rnd), Optional.of(watched), Optional.empty(), 5, 3, 1);
            if (mode.equals("constant")) {
                assertThat(incremental.path()).as(mode).startsWith("incremental: 6 of 6 nodes patched");
            } else if (mode.equals("slice")) {
                assertThat(incremental.path()).as(mode).startsWith("incremental: 7 of 7 nodes patched");
            } else {
                assertThat(incremental.path()).as(mode).contains("in full from").contains("Pad");
            }
        }
    }

    /**
     * A graph as tf2onnx writes a Keras model: an NHWC input, a Transpose to NCHW, ZeroPadding2D's Pad,
     * a strided Conv without pads, Cropping2D's Slice: patched through, the map the full recompute's.
     */
    @Test
    void anNhwcGraphWithPadsAndCropsAsTf2onnxWritesThem() {
        Random rnd = new Random(60);
        ModelBuilder b = ModelBuilder.create(13);
        long[] nhwc = {1, INPUT[2], INPUT[3], INPUT[1]};
        String x = b.input("x", nhwc);
        String nchw = b.node("Transpose", List.of(x), intsAttr("perm", 0, 3, 1, 2));
        String padded = b.node("Pad", List.of(nchw, b.initializerLongs("p", new long[] {8},
                new long[] {0, 0, 3, 3, 0, 0, 3, 3})));
        String y = b.relu(b.conv(padded, 3, 8, 7, 2, 0, 1, rnd));
        String cropped = b.node("Slice", List.of(y, b.initializerLongs("s0", new long[] {2}, new long[] {1, 1}),
                b.initializerLongs("s1", new long[] {2}, new long[] {-1, -1}),
                b.initializerLongs("s2", new long[] {2}, new long[] {2, 3})));
        String watched = b.relu(b.conv(cropped, 8, 6, 3, 1, 1, 1, rnd));
        b.output(watched);
        OnnxModel model = b.load();
        float[] data = new float[(int) (nhwc[1] * nhwc[2] * nhwc[3])];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        OcclusionResult incremental = compare(model, new TensorValue("x", nhwc, data), Optional.of(watched),
                Optional.empty(), 5, 3, 2);
        assertThat(incremental.path()).startsWith("incremental: 7 of 7 nodes patched");
    }

    /**
     * A 1x1 window of stride 1 without pads (a 1x1 convolution, grouped too; a 1x1 max-pool) maps each
     * window's box to the same box: it joins the step before it as a positionwise op does, while a 1x1
     * convolution with pads (its output larger than its input) opens a step of its own. The maps are the
     * full recompute's.
     */
    @Test
    void convolutionsOfOnePositionJoinTheStepBeforeThem() {
        Random rnd = new Random(75);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", INPUT);
        String t = b.relu(b.conv(x, 3, 8, 3, 1, 1, 1, rnd));
        t = b.relu(b.conv(t, 8, 6, 1, 1, 0, 1, rnd));
        t = b.maxPool(b.conv(t, 6, 4, 1, 1, 0, 2, rnd), 1, 1, 0, false);
        String watched = b.relu(b.conv(t, 4, 5, 1, 1, 1, 1, rnd));
        b.output(watched);
        OcclusionResult incremental = compare(b.load(), input(rnd), Optional.of(watched), Optional.empty(), 5, 3, 4);
        assertThat(incremental.path()).startsWith("incremental: 8 of 8 nodes patched in 2 steps");
    }

    /**
     * A Cast to float between float ops (tf2onnx writes them) is positionwise; a Cast to another type (here
     * int32, which truncates) ends the patched part.
     */
    @Test
    void castsToFloatArePatched() {
        Random rnd = new Random(78);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", INPUT);
        String t = b.node("Cast", List.of(b.relu(b.conv(x, 3, 4, 3, 1, 1, 1, rnd))), intAttr("to", 1));
        String watched = b.relu(b.conv(t, 4, 5, 3, 1, 1, 1, rnd));
        String whole = b.node("Cast", List.of(b.node("Cast", List.of(watched), intAttr("to", 6))), intAttr("to", 1));
        b.output(watched);
        b.output(whole);
        OnnxModel model = b.load();
        TensorValue image = input(rnd);
        assertThat(compare(model, image, Optional.of(watched), Optional.empty(), 5, 3, 7).path())
                .startsWith("incremental: 5 of 5 nodes patched in 2 steps");
        assertThat(compare(model, image, Optional.of(whole), Optional.empty(), 5, 3, 8).path())
                .startsWith("incremental: 5 of 7 nodes patched").contains("in full from").contains("(Cast)");
    }

    /**
     * Weights computed from constants alone (an Identity of an initializer, as PyTorch's exporter writes
     * shared weights; a Transpose of weights kept as TensorFlow keeps them) are constants: their nodes
     * go into the patch graphs, and the maps are the full recompute's.
     */
    @Test
    void weightsComputedFromConstantsArePatched() {
        Random rnd = new Random(76);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", INPUT);
        String hwio = b.randomInitializer("hwio", rnd, 0.3, 3, 3, 3, 6);
        String oihw = b.node("Transpose", List.of(hwio), intsAttr("perm", 3, 2, 0, 1));
        String t = b.relu(b.node("Conv", List.of(x, oihw), intsAttr("pads", 1, 1, 1, 1)));
        String shared = b.node("Identity", List.of(b.randomInitializer("w2", rnd, 0.3, 5, 6, 3, 3)));
        String bias = b.node("Identity", List.of(b.randomInitializer("b2", rnd, 0.3, 5)));
        String watched = b.relu(b.node("Conv", List.of(t, shared, bias),
                intsAttr("pads", 1, 1, 1, 1)));
        b.output(watched);
        OcclusionResult incremental = compare(b.load(), input(rnd), Optional.of(watched), Optional.empty(), 5, 3, 6);
        assertThat(incremental.path()).startsWith("incremental: 4 of 4 nodes patched in 2 steps");
    }

    /**
     * ConvNeXt's blocks: a depthwise 7x7 convolution, then on channels-last maps a LayerNormalization
     * (opset 17; at opset 13 the exporter writes it out with ReduceMean, Sub, Pow, Sqrt and Div), two
     * MatMuls by constant matrices with an Erf between, back to channels first, a layer scale and the
     * residual Add. Every node is patched (the Transposes and the ops along the channels keep each
     * window's box) and the maps are the full recompute's.
     */
    @Test
    void channelsLastBlocksAsConvNextWritesThemArePatched() {
        for (int opset : new int[] {13, 17}) {
            Random rnd = new Random(77 + opset);
            ModelBuilder b = ModelBuilder.create(opset);
            String x = b.input("x", INPUT);
            String t = b.conv(x, 3, 8, 3, 1, 1, 1, rnd);
            for (int block = 0; block < 2; block++) {
                String d = b.node("Transpose", List.of(b.conv(t, 8, 8, 7, 1, 3, 8, rnd)), intsAttr("perm", 0, 2, 3, 1));
                String scale = b.randomInitializer("scale" + block, rnd, 1, 8);
                String shift = b.randomInitializer("shift" + block, rnd, 1, 8);
                String normed;
                if (opset >= 17) {
                    normed = b.node("LayerNormalization", List.of(d, scale, shift), intAttr("axis", -1));
                } else {
                    String centred = b.node("Sub", List.of(d, b.node("ReduceMean", List.of(d), intsAttr("axes", -1))));
                    String square = b.node("Pow", List.of(centred, b.initializer("two" + block, new long[0],
                            new float[] {2})));
                    String spread = b.node("Sqrt", List.of(b.add(b.node("ReduceMean", List.of(square),
                            intsAttr("axes", -1)), b.initializer("eps" + block, new long[0], new float[] {1e-5f}))));
                    normed = b.add(b.mul(b.node("Div", List.of(centred, spread)), scale), shift);
                }
                String h = b.node("MatMul", List.of(normed, b.randomInitializer("up" + block, rnd, 0.3, 8, 16)));
                h = b.node("MatMul", List.of(b.node("Erf", List.of(h)), b.randomInitializer("down" + block, rnd, 0.3,
                        16, 8)));
                String back = b.node("Transpose", List.of(h), intsAttr("perm", 0, 3, 1, 2));
                t = b.add(b.mul(back, b.randomInitializer("gamma" + block, rnd, 1, 8, 1, 1)), t);
            }
            b.output(t);
            OcclusionResult incremental = compare(b.load(), input(rnd), Optional.of(t), Optional.empty(), 5, 3,
                    opset);
            int nodes = opset >= 17 ? 2 * 9 + 1 : 2 * 17 + 1;
            assertThat(incremental.path()).as("opset %d", opset)
                    .startsWith("incremental: " + nodes + " of " + nodes + " nodes patched");
        }
    }

    /** A path without weights has nothing to save: automatic mode computes it in full, and the path says so under on. */
    @Test
    void aPathWithoutWeightsHasNothingToSave() {
        Random rnd = new Random(70);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", INPUT);
        String watched = b.relu(b.maxPool(x, 3, 1, 1, false));
        b.output(watched);
        OnnxModel model = b.load();
        TensorValue image = input(rnd);
        OcclusionResult on = compare(model, image, Optional.of(watched), Optional.empty(), 5, 3, 1);
        assertThat(on.path()).endsWith(", no convolutions, no multiply-adds to save");
        try (BackwardEngine shapes = BackwardEngine.open(model, EngineOptions.defaults());
                OcclusionEngine engine = OcclusionEngine.open(model, EngineOptions.defaults(), shapes::shapes)) {
            OcclusionBuilder request = engine.builder().layer(watched).window(5).stride(3);
            request.incremental(IncrementalMode.ON).run(image); // the sessions open
            assertThat(request.incremental(IncrementalMode.AUTO).run(image).path()).isEqualTo("full");
        }
    }

    /**
     * Slices that reverse the rows, the columns (a negative axis) or, while cropping, the channels have
     * no rule: patching stops there and the maps are the full recompute's.
     */
    @Test
    void slicesThatReverseStopThePatchedPart() {
        long big = Long.MIN_VALUE + 1;
        long[][][] slices = {
            {{-1}, {big}, {2}, {-1}}, // rows reversed
            {{-1}, {big}, {-1}, {-1}}, // columns reversed
            {{2, -1}, {-3, big}, {2, 1}, {1, -1}}, // rows cropped, channels reversed
        };
        for (int k = 0; k < slices.length; k++) {
            long[][] sl = slices[k];
            Random rnd = new Random(50 + k);
            ModelBuilder b = ModelBuilder.create(13);
            String x = b.input("x", INPUT);
            String y = b.relu(b.conv(x, 3, 4, 3, 1, 1, 1, rnd));
            int n = sl[0].length;
            String sliced = b.node("Slice", List.of(y, b.initializerLongs("s0", new long[] {n}, sl[0]),
                    b.initializerLongs("s1", new long[] {n}, sl[1]), b.initializerLongs("s2", new long[] {n}, sl[2]),
                    b.initializerLongs("s3", new long[] {n}, sl[3])));
            String watched = b.relu(b.conv(sliced, 4, 5, 3, 1, 1, 1, rnd));
            b.output(watched);
            OcclusionResult incremental = compare(b.load(), input(rnd), Optional.of(watched), Optional.empty(), 5, 3,
                    k);
            assertThat(incremental.path()).as("slice %d", k).contains("in full from").contains("(Slice)");
        }
    }

    /**
     * Automatic mode stops patching where it costs least ({@link PatchCosts}): a chain of convolutions
     * down to 8 channels and back on a small map moves more values than it multiplies, so it runs in full from the
     * narrowest tensor on, while {@code on} patches it too; before any session is open, their opening
     * makes it compute in full, and an occluder as large as the image is not patched at all. Every map
     * is the full recompute's.
     */
    @Test
    void automaticModeStopsPatchingWhereItWouldCostMoreThanTheFullComputation() {
        Random rnd = new Random(41);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", INPUT);
        String t = b.relu(b.conv(x, 3, 64, 3, 1, 1, 1, rnd));
        t = b.relu(b.conv(t, 64, 64, 3, 1, 1, 1, rnd));
        t = b.relu(b.conv(b.maxPool(t, 2, 2, 0, false), 64, 64, 3, 2, 1, 1, rnd));
        String stem = t;
        for (int k = 0; k < 4; k++) {
            t = b.relu(b.conv(t, 64, 8, 3, 1, 1, 1, rnd));
            t = b.relu(b.conv(t, 8, 64, 3, 1, 1, 1, rnd));
        }
        b.output(t);
        OnnxModel model = b.load();
        TensorValue image = input(rnd);
        try (BackwardEngine shapes = BackwardEngine.open(model, EngineOptions.defaults());
                OcclusionEngine engine = OcclusionEngine.open(model, EngineOptions.defaults(), shapes::shapes)) {
            OcclusionBuilder request = engine.builder().layer(t).window(5).stride(2);
            float[] full = request.incremental(IncrementalMode.OFF).run(image).tensor().data();
            // first, opening the steps' sessions costs more than patching this small graph saves
            assertThat(request.incremental(IncrementalMode.AUTO).run(image).path()).isEqualTo("full");
            OcclusionResult on = request.incremental(IncrementalMode.ON).run(image);
            OcclusionResult auto = request.incremental(IncrementalMode.AUTO).run(image); // the sessions are open now
            assertThat(on.path()).startsWith("incremental: 23 of 23 nodes patched");
            // the cheapest place to stop: after the 1x1 convolution down to 8 channels, the narrowest frontier
            assertThat(auto.path()).startsWith("incremental: 9 of 23 nodes patched").contains("in full from 'Conv_5'");
            assertThat(estimate(auto.path())).isLessThan(estimate(on.path())).isLessThanOrEqualTo(
                    IncrementalPlan.AUTO_COST_SHARE);
            assertThat(OcclusionResult.relativeError(auto.tensor().data(), full)).isLessThan(1e-5);
            assertThat(OcclusionResult.relativeError(on.tensor().data(), full)).isLessThan(1e-5);
            assertThat(request.incremental(IncrementalMode.AUTO).window(81).stride(40).layer(stem).run(image).path())
                    .isEqualTo("full");
        }
    }

    /** The estimated share of the full recompute's cost in a path. */
    private static double estimate(String path) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("estimated ([0-9.]+) (of|times) the full")
                .matcher(path);
        assertThat(m.find()).as(path).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** The approximation's reported error is the one against the exact map; a vanishing threshold is exact. */
    @Test
    void approximateMapsReportTheirErrorAgainstTheExactMap() {
        Random rnd = new Random(3);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", INPUT);
        String t = b.relu(b.conv(x, 3, 6, 5, 1, 2, 1, rnd));
        t = b.relu(b.conv(t, 6, 6, 3, 2, 1, 1, rnd));
        t = b.relu(b.convDilated(t, 6, 6, 3, 1, 2, 2, 1, rnd));
        b.output(b.conv(t, 6, 4, 5, 1, 2, 1, rnd));
        OnnxModel model = b.load();
        TensorValue image = input(rnd);
        try (BackwardEngine shapes = BackwardEngine.open(model, EngineOptions.defaults());
                OcclusionEngine engine = OcclusionEngine.open(model, EngineOptions.defaults(), shapes::shapes)) {
            OcclusionBuilder request = engine.builder().layer(t).window(7).stride(3);
            float[] exact = request.incremental(IncrementalMode.OFF).run(image).tensor().data();
            OcclusionResult approx = request.approx(0.5).run(image);
            assertThat(approx.path()).startsWith("approximate (tau 0.5) incremental: ");
            assertThat(approx.approxError()).isNaN();
            double computed = OcclusionResult.relativeError(approx.tensor().data(), exact);
            assertThat(computed).isGreaterThan(1e-3).isLessThan(10);
            double reported = request.approx(0.5).withApproxError(approx, image).approxError();
            assertThat(reported).isCloseTo(computed, org.assertj.core.data.Offset.offset(1e-5 + 1e-3 * computed));
            OcclusionResult vanishing = request.approx(1e-9).run(image);
            assertThat(OcclusionResult.relativeError(vanishing.tensor().data(), exact)).isLessThan(1e-5);
            assertThat(request.approx(1e-9).withApproxError(vanishing, image).approxError()).isLessThan(1e-5);
        }
    }

    private record Built(OnnxModel model, String watched) {
    }

    /** A random CNN: a stem, residual and concatenated blocks of random geometry, then a classifier head. */
    private static Built randomGraph(Random rnd, boolean head) {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", INPUT);
        int channels = 3;
        String t = b.relu(b.conv(x, 3, 6, 3 + 2 * rnd.nextInt(2), 1 + rnd.nextInt(2), rnd.nextInt(3), 1, rnd));
        channels = 6;
        String watched = t;
        for (int block = 0; block < 3; block++) {
            switch (rnd.nextInt(5)) {
                case 0 -> t = b.add(t, b.relu(b.convDilated(t, channels, channels, 3, 1, 2, 2, 1, rnd)));
                case 1 -> {
                    String a = b.conv(t, channels, 4, 1, 1, 0, 1, rnd);
                    String c = b.conv(t, channels, 4, 5, 1, 2, 2, rnd);
                    t = b.concat(1, a, c);
                    channels = 8;
                }
                case 2 -> t = b.maxPool(t, 2 + rnd.nextInt(2), 1 + rnd.nextInt(2), rnd.nextInt(2), rnd.nextBoolean());
                case 3 -> t = b.avgPool(t, 3, 2, 1, true);
                default -> t = b.relu(b.conv(t, channels, channels, 3, 1 + rnd.nextInt(2), 1, 1, rnd));
            }
            if (rnd.nextBoolean()) {
                t = b.clip(b.batchNorm(t, channels, rnd), 0f, 6f);
            }
            watched = t;
        }
        if (head) {
            String pooled = b.flatten(b.globalAvgPool(t), 1);
            b.output(b.gemm(pooled, channels, 5, rnd));
        } else {
            b.output(t);
        }
        return new Built(b.load(), watched);
    }

    private static TensorValue input(Random rnd) {
        float[] x = new float[(int) (INPUT[1] * INPUT[2] * INPUT[3])];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return new TensorValue("x", INPUT, x);
    }

    private static OcclusionResult compare(OnnxModel model, TensorValue input, Optional<String> layer,
            Optional<Target> target, int window, int stride, long seed) {
        try (BackwardEngine shapes = BackwardEngine.open(model, EngineOptions.defaults());
                OcclusionEngine engine = OcclusionEngine.open(model, EngineOptions.defaults(), shapes::shapes)) {
            int batch = 1 + (int) (seed % 5) * 3;
            OcclusionResult full = engine.run(new OcclusionRequest(layer, window, stride, Fill.mean(), target, batch, 0,
                    IncrementalMode.OFF, 0), input);
            OcclusionResult incremental = engine.run(new OcclusionRequest(layer, window, stride, Fill.mean(), target,
                    batch, 0, IncrementalMode.ON, 0), input);
            String what = "seed " + seed + ", " + incremental.request() + ", " + incremental.path();
            assertThat(full.path()).isEqualTo("full");
            assertThat(incremental.incremental()).as(what).isTrue();
            float[] a = full.tensor().data();
            float[] b = incremental.tensor().data();
            assertThat(b).as(what).hasSameSizeAs(a);
            double scale = 0;
            for (float v : a) {
                scale = Float.isNaN(v) ? scale : Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < a.length; i++) {
                if (Float.isNaN(a[i])) {
                    assertThat(b[i]).as(what + " at " + i).isNaN();
                } else {
                    assertThat((double) Math.abs(a[i] - b[i])).as(what + " at " + i).isLessThanOrEqualTo(1e-5 * scale + 1e-6);
                }
            }
            return incremental;
        }
    }
}
