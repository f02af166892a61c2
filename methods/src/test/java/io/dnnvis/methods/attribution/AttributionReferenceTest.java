package io.dnnvis.methods.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.Target;
import io.dnnvis.testdata.AttributionCases;
import io.dnnvis.testdata.TestData;
import io.dnnvis.testdata.Tolerance;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the attribution reference ({@code testdata/reference/attr}, PyTorch autograd):
 * CAMs at layer and input resolution, Guided Grad-CAM, saliency and Input×Gradient at relative L2
 * error 1e-4, Integrated Gradients at 2e-3 with its convergence delta, SmoothGrad statistically.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttributionReferenceTest {

    private final Map<Path, Visualizer> open = new HashMap<>();

    @AfterAll
    void close() {
        open.values().forEach(Visualizer::close);
    }

    private Visualizer vis(Path model) {
        return open.computeIfAbsent(model, Visualizer::open);
    }

    static List<AttributionCases.Case> exactCases() {
        return TestData.attributionCases().casesOf("gradcam", "gradcam++", "xgradcam", "layercam", "hirescam",
                "guided-gradcam", "saliency", "input-x-gradient");
    }

    static List<AttributionCases.Case> igCases() {
        return TestData.attributionCases().casesOf("integrated-gradients");
    }

    static List<AttributionCases.Case> smoothGradCases() {
        return TestData.attributionCases().casesOf("smoothgrad");
    }

    private TensorValue input(Visualizer vis, AttributionCases.Case c) {
        return Npy.read(c.input(), vis.model().graph().inputs().get(0).name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exactCases")
    void matchesTheReference(AttributionCases.Case c) {
        Visualizer vis = vis(c.model());
        TensorValue x = input(vis, c);
        Target target = Target.parse(c.target());
        float[] expected = Npy.read(c.expected(), "expected").data();
        switch (c.method()) {
            case "guided-gradcam" -> assertClose(
                    vis.explain(new GuidedGradCamRequest(Optional.of(target), c.layer().orElseThrow()), x), expected,
                    1e-4);
            case "saliency" -> assertClose(vis.explain(GradientRequest.saliency().target(target), x), expected, 1e-4);
            case "input-x-gradient" -> assertClose(vis.explain(GradientRequest.inputXGradient().target(target), x),
                    expected, 1e-4);
            default -> {
                CamRequest request = new CamRequest(CamMethod.parse(c.method()), Optional.of(target),
                        c.layer().orElseThrow(), CamResolution.LAYER);
                Attribution atLayer = vis.explain(request, x);
                assertClose(atLayer, expected, 1e-4);
                Attribution atInput = vis.explain(request.at(CamResolution.INPUT), x);
                assertClose(atInput, Npy.read(c.expectedInputResolution().orElseThrow(), "e").data(), 1e-4);
                // the alias names the same layer
                Attribution byAlias = vis.explain(new CamRequest(request.cam(), request.target(),
                        c.layerAlias().orElseThrow(), CamResolution.LAYER), x);
                assertThat(byAlias.tensor().data()).containsExactly(atLayer.tensor().data());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("igCases")
    void integratedGradientsMatchTheReference(AttributionCases.Case c) {
        Visualizer vis = vis(c.model());
        TensorValue x = input(vis, c);
        String b = c.baseline().orElseThrow();
        Baseline baseline = b.equals("zero") ? new Baseline.Zero()
                : new Baseline.Given(Npy.read(Path.of(b), "baseline"), b);
        IntegratedGradientsRequest request = new IntegratedGradientsRequest(Optional.of(Target.parse(c.target())),
                c.steps().orElseThrow(), Quadrature.parse(c.igMethod().orElseThrow()), baseline);
        Attribution a = vis.explain(request, x);
        assertClose(a, Npy.read(c.expected(), "e").data(), 2e-3);
        double delta = a.convergenceDelta().orElseThrow();
        double expectedDelta = c.convergenceDelta().orElseThrow();
        // the delta is the sum of the attribution minus s(x) - s(b): within the attribution's error
        double sum = 0;
        for (float v : a.tensor().data()) {
            sum += Math.abs(v);
        }
        assertThat(Math.abs(delta - expectedDelta)).as("delta %s vs %s", delta, expectedDelta)
                .isLessThanOrEqualTo(2e-3 * sum + 1e-5);
    }

    /**
     * SmoothGrad is random: the mean of n samples lies within a few sqrt(variance / n) of the
     * reference's mean of many; checked as the mean squared z-score (about 1) and the share of
     * elements beyond 5 standard errors.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("smoothGradCases")
    void smoothGradLiesWithinItsStandardError(AttributionCases.Case c) {
        Visualizer vis = vis(c.model());
        TensorValue x = input(vis, c);
        int n = 64;
        SmoothGradRequest request = new SmoothGradRequest(Optional.of(Target.parse(c.target())), n,
                c.noise().orElseThrow(), 7, SmoothGradMode.SMOOTHGRAD);
        float[] ours = vis.explain(request, x).tensor().data();
        float[] mean = Npy.read(c.expected(), "e").data();
        float[] variance = Npy.read(c.expectedVariance().orElseThrow(), "v").data();
        int references = c.referenceSamples().orElseThrow();
        double squares = 0;
        int far = 0;
        int counted = 0;
        for (int i = 0; i < ours.length; i++) {
            double se = Math.sqrt(variance[i] / n + variance[i] / references);
            if (se == 0) {
                assertThat((double) ours[i]).isCloseTo(mean[i], org.assertj.core.data.Offset.offset(1e-6));
                continue;
            }
            double z = (ours[i] - mean[i]) / se;
            squares += z * z;
            far += Math.abs(z) > 5 ? 1 : 0;
            counted++;
        }
        double meanSquare = squares / counted;
        assertThat(meanSquare).as("mean squared z-score").isBetween(0.5, 1.6);
        assertThat(far).as("elements beyond 5 standard errors").isLessThanOrEqualTo(counted / 1000);
    }

    private static void assertClose(Attribution a, float[] expected, double tolerance) {
        float[] out = a.tensor().data();
        assertThat(out).hasSameSizeAs(expected);
        assertThat(Tolerance.relativeError(out, expected)).as("relative L2 error").isLessThanOrEqualTo(tolerance);
    }
}
