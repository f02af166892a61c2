package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.StartSignal;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real PaddlePaddle text-direction classifier (Conv, BatchNormalization, HardSigmoid, Clip,
 * Mul, Div, dynamic Reshape...): SaliNet is its gradient, checked by finite differences.
 */
class PaddleModelTest {

    @TempDir
    static Path dir;

    private static OnnxModel model;
    private static Visualizer vis;
    private static TensorValue input;
    private static String output;

    @BeforeAll
    static void open() {
        model = OnnxModel.load(TestData.copyResource(TestData.PADDLE_CLS_RESOURCE, dir));
        vis = Visualizer.open(model, EngineOptions.defaults());
        Random random = new Random(11);
        float[] data = new float[3 * 48 * 192];
        for (int k = 0; k < data.length; k++) {
            data[k] = random.nextFloat() * 2 - 1;
        }
        input = new TensorValue(model.graph().inputs().get(0).name(), new long[] {1, 3, 48, 192}, data);
        output = model.graph().outputs().get(0).name();
    }

    @AfterAll
    static void close() {
        vis.close();
    }

    @Test
    void saliNetIsTheGradientOfTheOutput() {
        // along the gradient itself the directional derivative is |grad|: large against float32 noise
        float[] gradient = vis.salinet().layer(output).neurons(0).start(StartSignal.ONES).run(input).tensor().data();
        double norm = 0;
        for (float g : gradient) {
            norm += (double) g * g;
        }
        norm = Math.sqrt(norm);
        float[] direction = new float[gradient.length];
        for (int k = 0; k < direction.length; k++) {
            direction[k] = (float) (gradient[k] / norm);
        }
        float eps = 1e-2f;
        double numeric = (score(output, shifted(direction, eps)) - score(output, shifted(direction, -eps))) / (2 * eps);
        assertThat(numeric).isCloseTo(norm, org.assertj.core.data.Percentage.withPercentage(1));
    }

    @Test
    void saliNetMatchesFiniteDifferencesInRandomDirections() {
        String layer = "relu2";
        String tensor = model.graph().layer(layer).tensor();
        float[] gradient = vis.salinet().layer(layer).neurons(0).start(StartSignal.ONES).run(input).tensor().data();
        double norm = 0;
        for (float g : gradient) {
            norm += (double) g * g;
        }
        norm = Math.sqrt(norm);
        Random random = new Random(5);
        float eps = 1e-3f;
        for (int trial = 0; trial < 3; trial++) {
            float[] v = new float[gradient.length];
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) random.nextGaussian();
            }
            double analytic = 0;
            for (int k = 0; k < v.length; k++) {
                analytic += (double) gradient[k] * v[k];
            }
            double numeric = (score(tensor, shifted(v, eps)) - score(tensor, shifted(v, -eps))) / (2 * eps);
            // <g, v> for v ~ N(0, I) has standard deviation |g|: measure the error on that scale
            assertThat(Math.abs(numeric - analytic)).as("trial %d: analytic %s, numeric %s", trial, analytic, numeric)
                    .isLessThanOrEqualTo(0.02 * norm);
        }
    }

    @Test
    void deconvNetAndDeSaliNetGiveFiniteNonZeroMaps() {
        for (BackwardMethod m : new BackwardMethod[] {BackwardMethod.DECONVNET, BackwardMethod.DESALINET}) {
            Reconstruction r = vis.method(m).layer("conv5").neurons(0, 1).run(input);
            float[] values = r.tensor().data();
            assertThat(r.tensor().shape()).containsExactly(2, 3, 48, 192);
            double norm = 0;
            for (float v : values) {
                assertThat(Float.isFinite(v)).isTrue();
                norm += v * v;
            }
            assertThat(norm).as(m.label()).isGreaterThan(0);
        }
    }

    private TensorValue shifted(float[] v, float eps) {
        float[] x = input.data();
        for (int k = 0; k < x.length; k++) {
            x[k] += eps * v[k];
        }
        return new TensorValue(input.name(), input.shape(), x);
    }

    /** Sum of channel 0 (unit 0 of a 2-D output) of {@code tensor}: what a ones start signal selects. */
    private double score(String tensor, TensorValue x) {
        io.dnnvis.trace.Trace t = vis.tracer().trace(x, java.util.List.of(tensor));
        float[] values = t.get(tensor).data();
        long[] shape = t.shape(tensor);
        int per = (int) (values.length / shape[1]);
        double sum = 0;
        for (int k = 0; k < per; k++) {
            sum += values[k];
        }
        return sum;
    }
}
