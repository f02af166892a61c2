package io.dnnvis.methods.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.TargetRequest;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetSelection;
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
 * Properties of the attribution methods checked against independent math: Gauss–Legendre
 * quadrature, Integrated Gradients' completeness on a linear model, CAMs of a one-conv model
 * computed by hand, SmoothGrad for an injected noise tensor against separate gradients, and the
 * refusals of bad requests.
 */
class AttributionPropertiesTest {

    private static final long[] SHAPE = {1, 3, 6, 6};
    private static final GradientRules RULES = new GradientRules(io.dnnvis.methods.SaliNet.RULES,
            BackwardMethod.DESALINET::rules);

    private static TensorValue randomInput(long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[3 * 36];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return new TensorValue("x", SHAPE, x);
    }

    private static float[] randoms(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    @Test
    void gaussLegendreMatchesKnownNodesAndIntegratesPolynomialsExactly() {
        double[][] two = GaussLegendre.nodes(2);
        assertThat(two[0]).containsExactly(new double[] {-1 / Math.sqrt(3), 1 / Math.sqrt(3)}, within(1e-15));
        assertThat(two[1]).containsExactly(new double[] {1, 1}, within(1e-14));
        double[][] three = GaussLegendre.nodes(3);
        assertThat(three[0]).containsExactly(new double[] {-Math.sqrt(0.6), 0, Math.sqrt(0.6)}, within(1e-15));
        assertThat(three[1]).containsExactly(new double[] {5 / 9.0, 8 / 9.0, 5 / 9.0}, within(1e-14));
        for (int n : new int[] {1, 7, 50}) {
            Quadrature.Points p = Quadrature.GAUSS_LEGENDRE.points(n);
            for (int k = 0; k <= 2 * n - 1 && k <= 40; k++) {
                double integral = 0;
                for (int i = 0; i < p.size(); i++) {
                    integral += p.weights()[i] * Math.pow(p.alphas()[i], k);
                }
                assertThat(integral).as("n=%d, k=%d", n, k).isCloseTo(1.0 / (k + 1), within(1e-12));
            }
        }
    }

    @Test
    void riemannPointsFollowCaptum() {
        assertThat(Quadrature.RIEMANN_LEFT.points(4).alphas()).containsExactly(new double[] {0, .25, .5, .75},
                within(1e-15));
        assertThat(Quadrature.RIEMANN_RIGHT.points(4).alphas()).containsExactly(new double[] {.25, .5, .75, 1},
                within(1e-15));
        assertThat(Quadrature.RIEMANN_MIDDLE.points(4).alphas())
                .containsExactly(new double[] {.125, .375, .625, .875}, within(1e-15));
        Quadrature.Points t = Quadrature.RIEMANN_TRAPEZOID.points(5);
        assertThat(t.alphas()).containsExactly(new double[] {0, .25, .5, .75, 1}, within(1e-15));
        assertThat(t.weights()).containsExactly(new double[] {.1, .2, .2, .2, .1}, within(1e-15));
        assertThatThrownBy(() -> Quadrature.RIEMANN_TRAPEZOID.points(1)).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> Quadrature.GAUSS_LEGENDRE.points(0)).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("--steps");
    }

    /**
     * s(x) = V x + c: the gradient is V everywhere, so IG is (x - b) V times the sum of the weights
     * (1, except Captum's trapezoid: 1/n each with the ends halved, (n - 1)/n), and the delta is what
     * the weights miss of s(x) - s(b).
     */
    @Test
    void integratedGradientsAreCompleteOnALinearModel() {
        Random rnd = new Random(3);
        float[] v = randoms(rnd, 4 * 108);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", SHAPE);
        String flat = b.flatten(x, 1);
        String w = b.initializer("V", new long[] {4, 108}, v);
        String c = b.initializer("c", new long[] {4}, randoms(rnd, 4));
        b.output(b.node("Gemm", List.of(flat, w, c), io.dnnvis.onnx.build.OnnxProtos.intAttr("transB", 1)));
        TensorValue input = randomInput(11);
        TensorValue baseline = randomInput(12);
        try (Visualizer vis = Visualizer.open(b.load(), EngineOptions.defaults())) {
            for (Quadrature q : Quadrature.values()) {
                Attribution a = vis.explain(new IntegratedGradientsRequest(Optional.of(Target.parse("class:2")), 3, q,
                        new Baseline.Given(baseline, "baseline.npy")), input);
                float[] out = a.tensor().data();
                double weights = java.util.Arrays.stream(q.points(3).weights()).sum();
                double difference = 0;
                for (int i = 0; i < out.length; i++) {
                    difference += (input.data()[i] - baseline.data()[i]) * (double) v[2 * 108 + i];
                }
                for (int i = 0; i < out.length; i++) {
                    double expected = weights * (input.data()[i] - baseline.data()[i]) * (double) v[2 * 108 + i];
                    assertThat((double) out[i]).as("%s element %d", q, i).isCloseTo(expected, within(1e-5));
                }
                assertThat(a.convergenceDelta().orElseThrow()).as("%s delta", q)
                        .isCloseTo((weights - 1) * difference, within(1e-4));
            }
        }
    }

    /**
     * Conv → Relu (A) → GlobalAveragePool → Flatten → Gemm (V): ds_k/dA_c = V[k, c] / (h w) at every
     * position, so every CAM follows from A and V by its formula.
     */
    @Test
    void camsOfAOneConvModelAreTheFormulaOnItsActivations() {
        Random rnd = new Random(8);
        float[] v = randoms(rnd, 3 * 4);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", SHAPE);
        String a = b.relu(b.conv(x, 3, 4, 3, 1, 1, 1, rnd));
        String pooled = b.flatten(b.globalAvgPool(a), 1);
        b.output(b.node("Gemm", List.of(pooled, b.initializer("V", new long[] {3, 4}, v),
                b.initializer("c", new long[] {3}, randoms(rnd, 3))), io.dnnvis.onnx.build.OnnxProtos.intAttr("transB", 1)));
        TensorValue input = randomInput(21);
        try (Visualizer vis = Visualizer.open(b.load(), EngineOptions.defaults())) {
            float[] act = vis.tracer().trace(input, List.of(a)).get(a).data();
            int k = 1;
            int plane = 36;
            for (CamMethod method : CamMethod.values()) {
                float[] cam = vis.explain(new CamRequest(method, Optional.of(Target.parse("class:" + k)), a,
                        CamResolution.LAYER), input).tensor().data();
                for (int p = 0; p < plane; p++) {
                    double sum = 0;
                    for (int c = 0; c < 4; c++) {
                        double g = v[k * 4 + c] / (double) plane;
                        double sumA = 0;
                        for (int q = 0; q < plane; q++) {
                            sumA += act[c * plane + q];
                        }
                        double weight = switch (method) {
                            case GRADCAM, HIRESCAM -> g;
                            case LAYERCAM -> Math.max(g, 0);
                            case XGRADCAM -> g * sumA / (sumA + 1e-7);
                            case GRADCAM_PLUS_PLUS -> g > 0
                                    ? plane * g * (g * g / (2 * g * g + sumA * g * g * g + 1e-6)) : 0;
                        };
                        sum += weight * act[c * plane + p];
                    }
                    assertThat((double) cam[p]).as("%s at %d", method, p)
                            .isCloseTo(Math.max(sum, 0), within(1e-5 * (1 + Math.abs(sum))));
                }
            }
        }
    }

    /** SmoothGrad for a fixed noise tensor: the mean, mean square and variance of separately computed gradients. */
    @Test
    void smoothGradIsTheStatisticOfTheGradientsAtTheInjectedNoise() {
        OnnxModel model = OnnxModel.load(io.dnnvis.testdata.TestData.referenceModel("lenet"));
        TensorValue input = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.referenceInput("lenet"),
                model.graph().inputs().get(0).name());
        int n = 4;
        int size = input.data().length;
        Random rnd = new Random(2);
        float[][] noise = new float[n][];
        for (int k = 0; k < n; k++) {
            noise[k] = randoms(rnd, size);
        }
        Target target = Target.parse("class:3");
        double[] sum = new double[size];
        double[] squares = new double[size];
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults());
                BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            for (int k = 0; k < n; k++) {
                float[] noisy = input.data();
                for (int i = 0; i < size; i++) {
                    noisy[i] += 0.5f * noise[k][i];
                }
                float[] g = vis.run(TargetRequest.of(BackwardMethod.SALINET, target),
                        new TensorValue(input.name(), input.shape(), noisy)).tensor().data();
                for (int i = 0; i < size; i++) {
                    sum[i] += g[i];
                    squares[i] += (double) g[i] * g[i];
                }
            }
            Explainer explainer = Explainer.on(model, engine, InputLayout.NCHW, RULES);
            TargetSelection selection = explainer.check(GradientRequest.saliency().target(target), input);
            for (SmoothGradMode mode : SmoothGradMode.values()) {
                float[] out = explainer.smoothGrad(new SmoothGradRequest(Optional.of(target), n, 0.1, 0, mode),
                        selection, input, (k, count, sigma) -> {
                            float[] e = noise[k].clone();
                            for (int i = 0; i < count; i++) {
                                e[i] *= 0.5f;
                            }
                            return e;
                        }).tensor().data();
                for (int i = 0; i < size; i++) {
                    double mean = sum[i] / n;
                    double expected = switch (mode) {
                        case SMOOTHGRAD -> mean;
                        case SMOOTHGRAD_SQ -> squares[i] / n;
                        case VARGRAD -> squares[i] / n - mean * mean;
                    };
                    assertThat((double) out[i]).as("%s %d", mode, i).isCloseTo(expected,
                            within(1e-6 * (1 + Math.abs(expected))));
                }
            }
        }
    }

    /** Path points batched into one backward run give each point's own gradient: as one run per point. */
    @Test
    void batchedPathPointsEqualOneRunPerPoint() {
        OnnxModel model = OnnxModel.load(io.dnnvis.testdata.TestData.glyphNet());
        TensorValue input = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.file(
                "reference/attr/inputs/glyphnet-R.npy"), model.graph().inputs().get(0).name());
        IntegratedGradientsRequest ig = IntegratedGradientsRequest.defaults().target(Target.parse("class:17"))
                .steps(7, Quadrature.RIEMANN_MIDDLE);
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            Explainer batched = Explainer.on(model, engine, InputLayout.NCHW, RULES, 4);
            Explainer single = Explainer.on(model, engine, InputLayout.NCHW, RULES, 1);
            float[] a = batched.run(ig, input).tensor().data();
            float[] b = single.run(ig, input).tensor().data();
            assertThat(io.dnnvis.testdata.Tolerance.relativeError(a, b)).isLessThan(1e-5);
            assertThat(a).isNotEqualTo(new float[a.length]);
        }
    }

    /**
     * The progress of the methods of many gradients: after each run the gradients done over all the
     * request's images, in batches of at most 4 here, rising to points × images.
     */
    @Test
    void progressCountsTheGradientsOfEveryImage() {
        OnnxModel model = OnnxModel.load(io.dnnvis.testdata.TestData.glyphNet());
        TensorValue input = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.file(
                "reference/attr/inputs/glyphnet-R.npy"), model.graph().inputs().get(0).name());
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            Explainer explainer = Explainer.on(model, engine, InputLayout.NCHW, RULES, 4);
            for (AttributionRequest request : List.<AttributionRequest>of(
                    IntegratedGradientsRequest.defaults().target(Target.parse("class:17")).steps(7,
                            Quadrature.GAUSS_LEGENDRE),
                    new SmoothGradRequest(Optional.of(Target.parse("class:17")), 5, 0.1, 3, SmoothGradMode.SMOOTHGRAD))) {
                List<long[]> reports = new java.util.ArrayList<>();
                List<Attribution> results = explainer.run(request, List.of(input, input),
                        (done, total) -> reports.add(new long[] {done, total}));
                int perImage = request instanceof IntegratedGradientsRequest ? 7 : 5;
                assertThat(results).hasSize(2);
                assertThat(reports).as(request.toString()).isNotEmpty();
                long previous = 0;
                for (long[] r : reports) {
                    assertThat(r[1]).isEqualTo(2L * perImage);
                    assertThat(r[0] - previous).isBetween(1L, 4L);
                    previous = r[0];
                }
                assertThat(previous).isEqualTo(2L * perImage);
            }
        }
    }

    /**
     * Guided Grad-CAM is Grad-CAM at input resolution times guided backpropagation; with
     * {@code --gates all} the guided rule of every gate, which on a ReLU-only model changes nothing.
     */
    @Test
    void guidedGradCamTakesTheGatesOfGuidedBackpropagation() {
        Target target = Target.parse("class:2");
        try (Visualizer vis = Visualizer.open(io.dnnvis.testdata.TestData.file("gates/gate_chain_op17.onnx"))) {
            TensorValue input = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.file("gates/gate_input.npy"),
                    vis.model().graph().inputs().get(0).name());
            String layer = "conv4";
            float[] all = vis.explain(new GuidedGradCamRequest(Optional.of(target), layer,
                    io.dnnvis.methods.core.Gates.ALL), input).tensor().data();
            float[] relu = vis.explain(new GuidedGradCamRequest(Optional.of(target), layer), input).tensor().data();
            float[] cam = vis.explain(new CamRequest(CamMethod.GRADCAM, Optional.of(target), layer,
                    CamResolution.INPUT), input).tensor().data();
            float[] guided = vis.run(TargetRequest.of(BackwardMethod.DESALINET, target)
                    .withGates(io.dnnvis.methods.core.Gates.ALL), input).tensor().data();
            int plane = cam.length;
            for (int i = 0; i < all.length; i++) {
                assertThat(all[i]).isEqualTo(guided[i] * cam[i % plane]);
            }
            assertThat(all).isNotEqualTo(relu);
        }
        try (Visualizer vis = Visualizer.open(io.dnnvis.testdata.TestData.glyphNet())) {
            TensorValue input = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.file(
                    "reference/attr/inputs/glyphnet-R.npy"), vis.model().graph().inputs().get(0).name());
            GuidedGradCamRequest r = new GuidedGradCamRequest(Optional.of(Target.parse("class:17")), "relu5");
            assertThat(vis.explain(r.withGates(io.dnnvis.methods.core.Gates.ALL), input).tensor().data())
                    .containsExactly(vis.explain(r, input).tensor().data());
        }
    }

    /** Several images in one batched run: each its own top class, map and score, as when run alone. */
    @Test
    void severalImagesRunAsOneBatchAndEachGetsItsOwnResult() {
        try (Visualizer vis = Visualizer.open(io.dnnvis.testdata.TestData.glyphNet())) {
            String name = vis.model().graph().inputs().get(0).name();
            TensorValue r = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.file(
                    "reference/attr/inputs/glyphnet-R.npy"), name);
            TensorValue k = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.file(
                    "reference/attr/inputs/glyphnet-K.npy"), name);
            List<AttributionRequest> requests = List.of(CamRequest.of(CamMethod.LAYERCAM, "relu5"),
                    GuidedGradCamRequest.of("relu5"), GradientRequest.inputXGradient());
            for (AttributionRequest request : requests) {
                List<Attribution> both = vis.explain(request, List.of(r, k, r));
                assertThat(both).extracting(Attribution::targetLabel).containsExactly("class:17", "class:10",
                        "class:17");
                List<TensorValue> alone = List.of(r, k, r);
                for (int i = 0; i < 3; i++) {
                    Attribution single = vis.explain(request, alone.get(i));
                    assertThat(io.dnnvis.testdata.Tolerance.relativeError(both.get(i).tensor().data(),
                            single.tensor().data())).as("%s image %d", request.method(), i).isLessThan(1e-5);
                    assertThat(both.get(i).score()).isCloseTo(single.score(), within(1e-4));
                }
            }
        }
    }

    /**
     * A graph that declares an open batch but reshapes to a batch of 1 (Reshape [1, -1]) would fold
     * a batch of images together: it runs one image per run, with each image's own result.
     */
    @Test
    void aGraphThatFoldsTheBatchRunsOneImageAtATime() {
        Random rnd = new Random(4);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", -1, 3, 6, 6);
        String flat = b.reshape(b.relu(b.conv(x, 3, 2, 3, 1, 1, 1, rnd)), 1, -1);
        b.output(b.gemm(flat, 72, 4, rnd));
        OnnxModel model = b.load();
        TensorValue one = randomInput(31);
        TensorValue two = randomInput(32);
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            for (AttributionRequest r : List.<AttributionRequest>of(GradientRequest.saliency(),
                    IntegratedGradientsRequest.defaults().steps(4, Quadrature.RIEMANN_RIGHT))) {
                List<Attribution> both = vis.explain(r, List.of(one, two));
                assertThat(both.get(0).tensor().data()).as(r.method())
                        .containsExactly(vis.explain(r, one).tensor().data());
                assertThat(both.get(1).tensor().data()).as(r.method())
                        .containsExactly(vis.explain(r, two).tensor().data());
            }
        }
    }

    /** The mean baseline is each channel's mean; the blur keeps a constant image and the mass of an impulse. */
    @Test
    void baselinesAreTheChannelMeanAndAGaussianBlur() {
        TensorValue x = randomInput(41);
        float[] mean = new Baseline.ChannelMean().values(x, InputLayout.NCHW);
        for (int c = 0; c < 3; c++) {
            double expected = 0;
            for (int p = 0; p < 36; p++) {
                expected += x.data()[c * 36 + p];
            }
            for (int p = 0; p < 36; p++) {
                assertThat((double) mean[c * 36 + p]).isCloseTo(expected / 36, within(1e-6));
            }
        }
        float[] constant = new float[3 * 36];
        java.util.Arrays.fill(constant, 2.5f);
        float[] blurred = new Baseline.Blur(1).values(new TensorValue("x", SHAPE, constant), InputLayout.NCHW);
        assertThat(blurred).containsOnly(2.5f);
        long[] big = {1, 1, 15, 15};
        float[] impulse = new float[225];
        impulse[7 * 15 + 7] = 1;
        float[] spread = new Baseline.Blur(1.5).values(new TensorValue("x", big, impulse), InputLayout.NCHW);
        double total = 0;
        for (float v : spread) {
            total += v;
        }
        assertThat(total).isCloseTo(1, within(1e-5));
        assertThat(spread[7 * 15 + 7]).isLessThan(1f).isGreaterThan(spread[7 * 15 + 8]);
        assertThat(spread[7 * 15 + 8]).isEqualTo(spread[8 * 15 + 7]);
    }

    @Test
    void theSeedDecidesTheNoise() {
        try (Visualizer vis = Visualizer.open(io.dnnvis.testdata.TestData.referenceModel("lenet"))) {
            TensorValue input = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.referenceInput("lenet"),
                    vis.model().graph().inputs().get(0).name());
            SmoothGradRequest r = SmoothGradRequest.defaults().samples(3, 0.2, 42);
            float[] first = vis.explain(r, input).tensor().data();
            assertThat(vis.explain(r, input).tensor().data()).containsExactly(first);
            assertThat(vis.explain(r.samples(3, 0.2, 43), input).tensor().data()).isNotEqualTo(first);
        }
    }

    @Test
    void topIsTheLargestOutput() {
        try (Visualizer vis = Visualizer.open(io.dnnvis.testdata.TestData.referenceModel("lenet"))) {
            TensorValue input = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.referenceInput("lenet"),
                    vis.model().graph().inputs().get(0).name());
            float[] scores = vis.tracer().run(input).get(vis.model().graph().outputs().get(0).name()).data();
            int best = 0;
            for (int k = 1; k < scores.length; k++) {
                best = scores[k] > scores[best] ? k : best;
            }
            Attribution a = vis.explain(GradientRequest.saliency(), input);
            assertThat(a.targetLabel()).isEqualTo("class:" + best);
            assertThat(a.score()).isCloseTo(scores[best], within(1e-5));
        }
    }

    /** On a segmentation model the default CAM layer is a map before the output; the output itself is refused. */
    @Test
    void aCamLayerLiesBeforeTheTarget() {
        try (Visualizer vis = Visualizer.open(io.dnnvis.testdata.TestData.file("conformance/models/lraspp_mini.onnx"))) {
            TensorValue input = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.file(
                    "conformance/inputs/lraspp_mini.npy"), vis.model().graph().inputs().get(0).name());
            String output = vis.model().graph().outputs().get(0).name();
            String layer = vis.defaultCamLayer(input);
            assertThat(vis.model().graph().layer(layer).tensor()).isNotEqualTo(output);
            Target target = Target.parse("class:1");
            Attribution cam = vis.explain(CamRequest.of(CamMethod.GRADCAM, layer).target(target), input);
            assertThat(cam.tensor().rank()).isEqualTo(3);
            assertThatThrownBy(() -> vis.explain(CamRequest.of(CamMethod.GRADCAM, output).target(target), input))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("holds the target");
            assertThatThrownBy(() -> vis.explain(CamRequest.of(CamMethod.GRADCAM, layer), input))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("top needs");
        }
    }

    /**
     * A Pad that feeds only a pool (PyTorch's {@code avg_pool2d(padding=1)}: Pad, then AveragePool, as in
     * Inception's last block) is part of the pooling: the default CAM layer is the block before it.
     */
    @Test
    void theDefaultCamLayerIsNotThePadBeforeAPool() {
        Random rnd = new Random(32);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 8, 8);
        String block = b.relu(b.conv(x, 3, 4, 3, 1, 1, 1, rnd));
        String padded = b.node("Pad", List.of(block, b.initializerLongs("pads", new long[] {8},
                new long[] {0, 0, 1, 1, 0, 0, 1, 1})));
        String pooled = b.avgPool(padded, 3, 1, 0, true);
        b.output(b.gemm(b.flatten(b.globalAvgPool(pooled), 1), 4, 5, rnd));
        try (Visualizer vis = Visualizer.open(b.load(), EngineOptions.defaults())) {
            TensorValue input = new TensorValue("x", new long[] {1, 3, 8, 8}, new float[3 * 8 * 8]);
            assertThat(vis.model().graph().layer(vis.defaultCamLayer(input)).tensor()).isEqualTo(block);
        }
    }

    /** With two outputs, the default CAM layer lies on the way to the target's own output. */
    @Test
    void theDefaultCamLayerFollowsTheTargetsOutput() {
        Random rnd = new Random(31);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 16, 16);
        String trunk = b.relu(b.conv(x, 3, 4, 3, 1, 1, 1, rnd));
        String head = b.relu(b.conv(trunk, 4, 4, 3, 1, 1, 1, rnd));
        b.output(b.gemm(b.flatten(b.globalAvgPool(head), 1), 4, 5, rnd));
        String map = b.output(b.conv(trunk, 4, 3, 1, 1, 0, 1, rnd));
        try (Visualizer vis = Visualizer.open(b.load(), EngineOptions.defaults())) {
            TensorValue input = new TensorValue("x", new long[] {1, 3, 16, 16}, new float[3 * 16 * 16]);
            String first = vis.defaultCamLayer(input);
            assertThat(vis.model().graph().layer(first).tensor()).isEqualTo(head);
            String second = vis.defaultCamLayer(input, Optional.of(((Target.ClassScore) Target.parse("class:1")).onOutput(map)));
            assertThat(vis.model().graph().layer(second).tensor()).isEqualTo(trunk);
            assertThat(vis.defaultCamLayer(input, Optional.of(Target.parse("class:1")))).isEqualTo(first);
        }
    }

    /** Where every map has one position at the input's size, the refusal says so. */
    @Test
    void noCamLayerWhereEveryMapHasOnePosition() {
        Random rnd = new Random(32);
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, 2, 2);
        String y = b.relu(b.conv(x, 3, 4, 2, 2, 0, 1, rnd));
        b.output(b.gemm(b.flatten(y, 1), 4, 5, rnd));
        try (Visualizer vis = Visualizer.open(b.load(), EngineOptions.defaults())) {
            TensorValue input = new TensorValue("x", new long[] {1, 3, 2, 2}, new float[12]);
            assertThatThrownBy(() -> vis.defaultCamLayer(input)).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("more than one position at this input size [1, 3, 2, 2]");
        }
    }

    /** blur:SIGMA takes a sigma above 0 (blur alone is the default) and at most 10,000 pixels. */
    @Test
    void blurSigmasOutsideTheirRangeAreRefused() {
        assertThat(Baseline.parse("blur:3")).isEqualTo(new Baseline.Blur(3));
        assertThat(Baseline.parse("blur")).isEqualTo(new Baseline.Blur(0));
        for (String bad : List.of("blur:0", "blur:-1", "blur:1e9", "blur:1e300")) {
            assertThatThrownBy(() -> Baseline.parse(bad)).as(bad).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("at most 10000");
        }
        for (String bad : List.of("blur:NaN", "blur:Infinity", "blur:x")) {
            assertThatThrownBy(() -> Baseline.parse(bad)).as(bad).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("blur");
        }
    }

    @Test
    void badRequestsAreRefusedInOneLine() {
        try (Visualizer vis = Visualizer.open(io.dnnvis.testdata.TestData.referenceModel("lenet"))) {
            TensorValue input = io.dnnvis.trace.Npy.read(io.dnnvis.testdata.TestData.referenceInput("lenet"),
                    vis.model().graph().inputs().get(0).name());
            String output = vis.model().graph().outputs().get(0).name();
            assertThatThrownBy(() -> vis.explain(CamRequest.of(CamMethod.GRADCAM, output), input))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("4-D");
            assertThatThrownBy(() -> vis.explain(GradientRequest.saliency().target(Target.parse("class:99")), input))
                    .isInstanceOf(io.dnnvis.onnx.UserErrorException.class).hasMessageContaining("99");
            assertThatThrownBy(() -> IntegratedGradientsRequest.defaults().steps(0, Quadrature.GAUSS_LEGENDRE))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("--steps");
            TensorValue small = new TensorValue("b", new long[] {1, 3, 8, 8}, new float[192]);
            assertThatThrownBy(() -> vis.explain(IntegratedGradientsRequest.defaults()
                    .from(new Baseline.Given(small, "b.npy")), input))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("b.npy").hasMessageContaining("shape");
            assertThatThrownBy(() -> GradientRequest.saliency().target(Target.parse("neuron:3")))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("visualize");
            assertThatThrownBy(() -> new SmoothGradRequest(Optional.empty(), 0, 0.1, 0, SmoothGradMode.SMOOTHGRAD))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("--samples");
        }
    }
}
