package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.Target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.testdata.Tolerance;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Score occlusion (Captum's Occlusion) against straightforward, independently written computations. */
class OcclusionScoreTest {

    /** Region of the hand-built model's class 0: rows 3..5, columns 3..8 of a 9 x 9 image. */
    private static boolean inRegion(int y, int x) {
        return y >= 3 && y <= 5 && x >= 3;
    }

    /** x [N,1,9,9] -> Flatten -> MatMul W [81,2]: class 0 = sum of x over the region, class 1 = sum of x. */
    private static OnnxModel regionModel() {
        ModelBuilder b = ModelBuilder.create(13).name("region");
        String x = b.input("x", -1, 1, 9, 9);
        float[] w = new float[81 * 2];
        for (int p = 0; p < 81; p++) {
            w[2 * p] = inRegion(p / 9, p % 9) ? 1f : 0f;
            w[2 * p + 1] = 1f;
        }
        String weights = b.initializer("W", new long[] {81, 2}, w);
        b.output(b.node("MatMul", List.of(b.flatten(x, 1), weights)));
        b.metadata("labels", "region, total");
        return b.load();
    }

    private static TensorValue positiveImage() {
        Random random = new Random(11);
        float[] data = new float[81];
        for (int p = 0; p < data.length; p++) {
            data[p] = 0.5f + random.nextFloat();
        }
        return new TensorValue("x", new long[] {1, 1, 9, 9}, data);
    }

    @Test
    void nonOverlappingTilesArePositiveExactlyOverTheRegion() {
        TensorValue image = positiveImage();
        float[] x = image.data();
        try (Visualizer vis = Visualizer.open(regionModel(), EngineOptions.defaults())) {
            OcclusionResult r = vis.occlusion().window(3).stride(3).fill(Fill.zero()).target(Target.classLabel("region"))
                    .run(image);
            assertThat(r.shape()).containsExactly(9, 9);
            assertThat(r.windows()).isEqualTo(9);
            float[] map = r.tensor().data();
            for (int y = 0; y < 9; y++) {
                for (int xx = 0; xx < 9; xx++) {
                    float v = map[y * 9 + xx];
                    if (!inRegion(y, xx)) {
                        assertThat(v).as("(%d,%d)", y, xx).isZero();
                        continue;
                    }
                    double tile = 0;
                    for (int ty = y / 3 * 3; ty < y / 3 * 3 + 3; ty++) {
                        for (int tx = xx / 3 * 3; tx < xx / 3 * 3 + 3; tx++) {
                            tile += x[ty * 9 + tx];
                        }
                    }
                    assertThat(v).as("(%d,%d)", y, xx).isPositive();
                    assertThat((double) v).isCloseTo(tile, within(1e-5));
                }
            }
        }
    }

    @Test
    void overlappingWindowsAverageTheDropOfEveryWindowCoveringAPixel() {
        TensorValue image = positiveImage();
        float[] x = image.data();
        int window = 5;
        int stride = 2;
        // Captum: ceil((9 - 5) / 2) + 1 = 3 positions per axis, starts 0, 2, 4
        double[] sum = new double[81];
        int[] count = new int[81];
        for (int top = 0; top <= 4; top += stride) {
            for (int left = 0; left <= 4; left += stride) {
                double drop = 0;
                for (int y = top; y < top + window; y++) {
                    for (int xx = left; xx < left + window; xx++) {
                        drop += inRegion(y, xx) ? x[y * 9 + xx] : 0;
                    }
                }
                for (int y = top; y < top + window; y++) {
                    for (int xx = left; xx < left + window; xx++) {
                        sum[y * 9 + xx] += drop;
                        count[y * 9 + xx]++;
                    }
                }
            }
        }
        try (Visualizer vis = Visualizer.open(regionModel(), EngineOptions.defaults())) {
            OcclusionResult r = vis.occlusion().window(window).stride(stride).fill(Fill.zero())
                    .target(Target.classIndex(0)).batch(4).run(image);
            assertThat(r.windows()).isEqualTo(9);
            float[] map = r.tensor().data();
            for (int p = 0; p < 81; p++) {
                assertThat((double) map[p]).as("pixel %d", p).isCloseTo(sum[p] / count[p], within(1e-4));
            }
        }
    }

    @Test
    void pixelsNoWindowCoversAreNaNAndTheLastWindowIsCutAtTheBorder() {
        TensorValue image = positiveImage();
        try (Visualizer vis = Visualizer.open(regionModel(), EngineOptions.defaults())) {
            OcclusionBuilder r = vis.occlusion().fill(Fill.zero()).target(Target.classLabel("TOTAL"));
            // window 1, stride 2: starts 0, 2, 4, 6, 8 -> odd rows and columns uncovered
            float[] gaps = r.window(1).stride(2).run(image).tensor().data();
            for (int p = 0; p < 81; p++) {
                int y = p / 9;
                int xx = p % 9;
                if (y % 2 == 1 || xx % 2 == 1) {
                    assertThat(gaps[p]).isNaN();
                } else {
                    assertThat((double) gaps[p]).isCloseTo(image.data()[p], within(1e-5));
                }
            }
            // window 5, stride 3: ceil(4 / 3) + 1 = 3 starts 0, 3, 6; the last covers rows 6..8 only
            OcclusionResult cut = r.window(5).stride(3).run(image);
            assertThat(cut.windows()).isEqualTo(9);
            float[] x = image.data();
            double lastWindow = 0;
            for (int y = 6; y < 9; y++) {
                for (int xx = 6; xx < 9; xx++) {
                    lastWindow += x[y * 9 + xx];
                }
            }
            assertThat((double) cut.tensor().data()[80]).isCloseTo(lastWindow, within(1e-4));
        }
    }

    @Test
    void aStrideBeyondTheWindowWhoseLastStartLiesPastTheBorderRuns() {
        TensorValue image = positiveImage();
        try (Visualizer vis = Visualizer.open(regionModel(), EngineOptions.defaults())) {
            // window 1, stride 5 on 9 pixels: ceil(8 / 5) + 1 = 3 starts 0, 5, 10; the last covers nothing
            OcclusionResult r = vis.occlusion().fill(Fill.zero()).target(Target.classLabel("TOTAL")).window(1).stride(5)
                    .run(image);
            assertThat(r.windows()).isEqualTo(9);
            float[] drops = r.tensor().data();
            for (int p = 0; p < 81; p++) {
                boolean covered = (p / 9) % 5 == 0 && (p % 9) % 5 == 0;
                if (covered) {
                    assertThat((double) drops[p]).isCloseTo(image.data()[p], within(1e-5));
                } else {
                    assertThat(drops[p]).isNaN();
                }
            }
        }
    }

    @Test
    void lenetClassLogitMatchesAStraightforwardLoopOverTheFullModel() {
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        String output = model.graph().outputs().get(0).name();
        int window = 5;
        int stride = 4;
        int klass = 3;
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            float[] expected = straightforward(vis.tracer(), input, output, klass, 1, window, stride);
            OcclusionResult r = vis.occlusion().window(window).stride(stride).target(Target.parse("class:3")).run(input);
            assertThat(r.windows()).isEqualTo(64);
            assertThat(r.map().height()).isEqualTo(32);
            assertThat(Tolerance.relativeError(r.tensor().data(), expected)).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void lenetNeuronAtAPositionMatchesAStraightforwardLoop() {
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        String conv2 = model.graph().layer("conv2").tensor();
        int channel = 5;
        int offset = channel * 100 + 4 * 10 + 6;
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            float[] expected = straightforward(vis.tracer(), input, conv2, offset, 1, 7, 3);
            OcclusionResult r = vis.occlusion().layer("conv2").window(7).stride(3).target(Target.parse("neuron:5,4,6"))
                    .run(input);
            assertThat(Tolerance.relativeError(r.tensor().data(), expected)).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void aNeuronWithoutPositionScoresTheSumOfItsMap() {
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        OnnxModel model = OnnxModel.load(TestData.referenceModel("lenet"));
        String conv2 = model.graph().layer("conv2").tensor();
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            float[] expected = straightforward(vis.tracer(), input, conv2, 9 * 100, 100, 9, 8);
            OcclusionResult r = vis.occlusion().layer("conv2").window(9).stride(8).target(Target.neuron(9)).run(input);
            assertThat(r.windows()).isEqualTo(16);
            assertThat(Tolerance.relativeError(r.tensor().data(), expected)).isLessThanOrEqualTo(1e-5);
        }
    }

    /**
     * Captum's Occlusion written out: each window occluded in turn with the input's mean, the full
     * model traced, and every pixel given the mean drop of the score (sum of {@code length} values of
     * {@code tensor} from {@code from}) over the windows covering it.
     */
    private static float[] straightforward(Tracer tracer, TensorValue input, String tensor, int from, int length,
            int window, int stride) {
        int c = (int) input.shape()[1];
        int h = (int) input.shape()[2];
        int w = (int) input.shape()[3];
        float[] x = input.data();
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double base = score(tracer, input, tensor, from, length);
        List<int[]> starts = new ArrayList<>();
        int rows = (int) Math.ceil((h - window) / (double) stride) + 1;
        int cols = (int) Math.ceil((w - window) / (double) stride) + 1;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                starts.add(new int[] {i * stride, j * stride});
            }
        }
        double[] sum = new double[h * w];
        int[] count = new int[h * w];
        for (int[] s : starts) {
            float[] occluded = x.clone();
            for (int ch = 0; ch < c; ch++) {
                for (int y = s[0]; y < Math.min(h, s[0] + window); y++) {
                    for (int xx = s[1]; xx < Math.min(w, s[1] + window); xx++) {
                        occluded[(ch * h + y) * w + xx] = (float) mean;
                    }
                }
            }
            double drop = base - score(tracer, new TensorValue(input.name(), input.shape(), occluded), tensor, from,
                    length);
            for (int y = s[0]; y < Math.min(h, s[0] + window); y++) {
                for (int xx = s[1]; xx < Math.min(w, s[1] + window); xx++) {
                    sum[y * w + xx] += drop;
                    count[y * w + xx]++;
                }
            }
        }
        float[] map = new float[h * w];
        for (int p = 0; p < map.length; p++) {
            map[p] = (float) (sum[p] / count[p]);
        }
        return map;
    }

    private static double score(Tracer tracer, TensorValue input, String tensor, int from, int length) {
        float[] t = tracer.trace(input, List.of(tensor)).get(tensor).data();
        double s = 0;
        for (int k = from; k < from + length; k++) {
            s += t[k];
        }
        return s;
    }
}
