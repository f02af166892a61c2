package io.dnnvis.trace.backward;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.build.ModelBuilder;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Switch unpooling where windows hold equal maxima (ReLU zeros, quantized values): the signal goes to
 * the first maximum of each window in row-major order, as ONNX Runtime's and PyTorch's MaxPool pick
 * it — computed here by a plain loop — whether the maxima come from MaxPool's Indices (opset 10)
 * or from the compiled graph's own ArgMax (opset 11 on).
 */
class MaxPoolTiesTest {

    private static final int C = 3;
    private static final int H = 9;
    private static final int W = 8;

    @ParameterizedTest(name = "opset {0}, kernel {1}, stride {2}, pad {3}, ceil {4}")
    @CsvSource({
        "10, 3, 2, 1, false",
        "13, 3, 2, 1, false",
        "13, 3, 2, 0, true",
        "13, 2, 2, 0, false",
        "13, 3, 1, 1, false",
        "17, 3, 2, 0, false",
    })
    void theFirstMaximumOfEachWindowGetsTheSignal(long opset, int kernel, int stride, int pad, boolean ceil) {
        ModelBuilder b = ModelBuilder.create(opset);
        String x = b.input("x", 1, C, H, W);
        String target = b.output(b.maxPool(x, kernel, stride, pad, ceil));
        OnnxModel model = b.load();
        Random rnd = new Random(opset * 31 + kernel * 7 + stride * 3 + pad + (ceil ? 1 : 0));
        float[] values = new float[C * H * W];
        for (int i = 0; i < values.length; i++) {
            values[i] = rnd.nextInt(3) * 0.5f; // 0, 0.5 or 1: most windows tie
        }
        TensorValue input = new TensorValue("x", new long[] {1, C, H, W}, values);
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            long[] y = engine.shapes(target, input.shape()).get(target);
            float[] selection = new float[C * (int) (y[2] * y[3])];
            for (int i = 0; i < selection.length; i++) {
                selection[i] = 1 + rnd.nextInt(5); // a different weight per window shows which window sent what
            }
            BackwardSpec spec = new BackwardSpec(target, RuleSet.exact(), Pooling.SWITCH, StartSignal.ONES, false);
            float[] got = engine.run(spec, input, List.of(selection)).reconstruction().data();
            float[] expected = firstMaxGradient(values, selection, (int) y[2], (int) y[3], kernel, stride, pad);
            assertThat(got).containsExactly(expected);
        }
    }

    /** Each window's signal added at its first maximum (row-major scan, padding never chosen). */
    private static float[] firstMaxGradient(float[] x, float[] signal, int oh, int ow, int k, int s, int pad) {
        float[] grad = new float[x.length];
        for (int c = 0; c < C; c++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int best = -1;
                    for (int dy = 0; dy < k; dy++) {
                        for (int dx = 0; dx < k; dx++) {
                            int r = i * s - pad + dy;
                            int q = j * s - pad + dx;
                            if (r >= 0 && r < H && q >= 0 && q < W) {
                                int at = (c * H + r) * W + q;
                                if (best < 0 || x[at] > x[best]) {
                                    best = at;
                                }
                            }
                        }
                    }
                    grad[best] += signal[(c * oh + i) * ow + j];
                }
            }
        }
        return grad;
    }
}
