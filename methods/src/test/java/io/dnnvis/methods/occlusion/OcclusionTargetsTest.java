package io.dnnvis.methods.occlusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetArea;
import io.dnnvis.modelbuild.TargetModels;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** Score occlusion of targets on segmentation and sequence outputs, against sums over the output computed here. */
class OcclusionTargetsTest {

    private static TensorValue randomInput(long[] shape, long seed) {
        Random rnd = new Random(seed);
        float[] data = new float[(int) (shape[1] * shape[2] * shape[3])];
        for (int k = 0; k < data.length; k++) {
            data[k] = (float) rnd.nextGaussian();
        }
        return new TensorValue("x", shape, data);
    }

    /** Window starts 0, s, 2s, ..., ceil((size - window) / s) + 1 of them, the last one cut at the border (Captum). */
    private static int[] starts(int size, int window, int stride) {
        int n = (int) Math.ceil((size - window) / (double) stride) + 1;
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = k * stride;
        }
        return out;
    }

    /** The expected map: per pixel, the mean of score(x) - score(x with a zero window) over the windows covering it. */
    static float[] expected(Visualizer vis, String output, TensorValue input, int window, int stride,
            ToDoubleFunction<float[]> score) {
        long[] shape = input.shape();
        int c = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        double base = score.applyAsDouble(vis.tracer().run(input).get(output).data());
        double[] sum = new double[h * w];
        int[] count = new int[h * w];
        for (int top : starts(h, window, stride)) {
            for (int left : starts(w, window, stride)) {
                float[] x = input.data();
                for (int ch = 0; ch < c; ch++) {
                    for (int y = top; y < Math.min(h, top + window); y++) {
                        for (int xx = left; xx < Math.min(w, left + window); xx++) {
                            x[(ch * h + y) * w + xx] = 0f;
                        }
                    }
                }
                double drop = base - score.applyAsDouble(
                        vis.tracer().run(new TensorValue(input.name(), shape, x)).get(output).data());
                for (int y = top; y < Math.min(h, top + window); y++) {
                    for (int xx = left; xx < Math.min(w, left + window); xx++) {
                        sum[y * w + xx] += drop;
                        count[y * w + xx]++;
                    }
                }
            }
        }
        float[] map = new float[h * w];
        for (int p = 0; p < map.length; p++) {
            map[p] = (float) (sum[p] / count[p]);
        }
        return map;
    }

    static void assertMap(OcclusionResult r, float[] expected) {
        float[] map = r.tensor().data();
        assertThat(map).hasSameSizeAs(expected);
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        assertThat(scale).as("the expected map is not zero").isGreaterThan(1e-3);
        for (int p = 0; p < map.length; p++) {
            assertThat((double) map[p]).as("pixel %d", p).isCloseTo(expected[p], within(1e-4 * (1 + scale)));
        }
    }

    @Test
    void segmentationClassInsideARegionScoresTheRegionsSum() {
        OnnxModel model = TargetModels.segmentation(false).load();
        String out = model.graph().outputs().get(0).name();
        TensorValue input = randomInput(new long[] {1, 3, 8, 8}, 1);
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            Target target = Target.classIndex(1).within(new TargetArea.Region(1, 2, 5, 8));
            OcclusionResult r = vis.occlusion().window(3).stride(2).fill(Fill.zero()).target(target).run(input);
            assertThat(r.shape()).containsExactly(8, 8);
            assertMap(r, expected(vis, out, input, 3, 2, y -> {
                double s = 0;
                for (int yy = 1; yy < 5; yy++) {
                    for (int xx = 2; xx < 8; xx++) {
                        s += y[(64 + yy * 8 + xx)];
                    }
                }
                return s;
            }));
        }
    }

    @Test
    void sequenceClassAtAStepOverAllStepsAndAnElementOfTheSecondOutput() {
        OnnxModel model = TargetModels.sequence().load();
        String logits = model.graph().outputs().get(0).name();
        String probs = model.graph().outputs().get(1).name();
        TensorValue input = randomInput(new long[] {1, 2, 4, 6}, 2);
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            OcclusionResult step = vis.occlusion().window(3).stride(1).fill(Fill.zero())
                    .target(Target.parse("class:2@4")).run(input);
            assertMap(step, expected(vis, logits, input, 3, 1, y -> y[4 * 5 + 2]));
            OcclusionResult all = vis.occlusion().window(1).stride(1).fill(Fill.zero())
                    .target(Target.parse("class:0")).run(input);
            assertMap(all, expected(vis, logits, input, 1, 1, y -> {
                double s = 0;
                for (int t = 0; t < 6; t++) {
                    s += y[t * 5];
                }
                return s;
            }));
            OcclusionResult element = vis.occlusion().window(3).stride(2).fill(Fill.zero())
                    .target(Target.parse("output:" + probs + "[0,1,3]")).run(input);
            assertMap(element, expected(vis, probs, input, 3, 2, y -> y[5 + 3]));
        }
    }
}
