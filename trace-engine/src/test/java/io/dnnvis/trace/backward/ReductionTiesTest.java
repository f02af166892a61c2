package io.dnnvis.trace.backward;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ties of ReduceMax, ReduceMin, Max and Min, which the adjoint test cannot see (any split of the
 * signal among tied extrema passes it): the signal goes to the first extremum along the reduced
 * axes in row-major order, and to the first input holding the extremum, as a plain loop computes it.
 */
class ReductionTiesTest {

    private static final long[] SHAPE = {1, 3, 4, 5};

    @ParameterizedTest(name = "{0} opset {1} axes {2} keepdims {3}")
    @CsvSource({
        "ReduceMax, 13, 3, 1",
        "ReduceMax, 13, 1 2, 0",
        "ReduceMax, 11, 3 1, 1",
        "ReduceMax, 9, , 0",
        "ReduceMin, 13, 2, 0",
        "ReduceMin, 18, 1 3, 1",
        "ReduceMin, 18, 0 2 -1, 0",
    })
    void theFirstExtremumOfEachGroupGetsTheSignal(String op, long opset, String axesText, long keepdims) {
        long[] axes = axesText == null ? new long[0]
                : Arrays.stream(axesText.trim().split(" ")).mapToLong(Long::parseLong).toArray();
        ModelBuilder b = ModelBuilder.create(opset);
        String x = b.input("x", SHAPE);
        AttributeProto keep = intAttr("keepdims", keepdims);
        String y;
        if (axes.length == 0) {
            y = b.node(op, List.of(x), keep);
        } else if (opset >= 18) {
            y = b.node(op, List.of(x, b.initializerLongs("axes", new long[] {axes.length}, axes)), keep);
        } else {
            y = b.node(op, List.of(x), intsAttr("axes", axes), keep);
        }
        b.output(y);
        Random rnd = new Random(op.hashCode() + opset + Arrays.hashCode(axes) + keepdims);
        float[] values = ties(rnd);
        boolean[] reduced = new boolean[SHAPE.length];
        for (long a : axes) {
            reduced[(int) (a < 0 ? a + SHAPE.length : a)] = true;
        }
        if (axes.length == 0) {
            Arrays.fill(reduced, true);
        }
        int[] groupOf = groups(reduced);
        int groupCount = Arrays.stream(groupOf).max().orElseThrow() + 1;
        float[] w = weights(rnd, groupCount);
        // row-major order over all axes visits each group's elements in row-major order over the reduced ones
        int[] first = new int[groupCount];
        Arrays.fill(first, -1);
        boolean max = op.equals("ReduceMax");
        for (int i = 0; i < values.length; i++) {
            int g = groupOf[i];
            if (first[g] < 0 || (max ? values[i] > values[first[g]] : values[i] < values[first[g]])) {
                first[g] = i;
            }
        }
        float[] expected = new float[values.length];
        for (int g = 0; g < groupCount; g++) {
            expected[first[g]] = w[g];
        }
        assertThat(run(b, y, values, w)).containsExactly(expected);
    }

    @Test
    void maxSendsEachPositionToTheFirstInputHoldingTheMaximum() {
        // Max(x², x): at ties (x = 0, x = 1) x² is first, so the signal gets its factor 2x
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", SHAPE);
        String y = b.node("Max", List.of(b.node("Mul", List.of(x, x)), x));
        b.output(y);
        Random rnd = new Random(3);
        float[] values = ties(rnd);
        float[] w = weights(rnd, values.length);
        float[] expected = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            expected[i] = v * v >= v ? 2 * v * w[i] : w[i];
        }
        assertThat(run(b, y, values, w)).containsExactly(expected);
    }

    @Test
    void minSendsEachPositionToTheFirstInputHoldingTheMinimum() {
        // Min(x, x²): at ties (x = 0, x = 1) x is first, so the signal goes back unscaled
        ModelBuilder b = ModelBuilder.create(9);
        String x = b.input("x", SHAPE);
        String y = b.node("Min", List.of(x, b.node("Mul", List.of(x, x))));
        b.output(y);
        Random rnd = new Random(4);
        float[] values = ties(rnd);
        float[] w = weights(rnd, values.length);
        float[] expected = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            expected[i] = v <= v * v ? w[i] : 2 * v * w[i];
        }
        assertThat(run(b, y, values, w)).containsExactly(expected);
    }

    @Test
    void aBroadcastRowMaximumTiedWithTheRowTakesItsWholeSignal() {
        // Max(max over the last axis, x): the row maximum is the first input everywhere, so each
        // row's whole signal goes through ReduceMax to the row's first maximum
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", SHAPE);
        String rowMax = b.node("ReduceMax", List.of(x), intsAttr("axes", 3), intAttr("keepdims", 1));
        String y = b.node("Max", List.of(rowMax, x));
        b.output(y);
        Random rnd = new Random(5);
        float[] values = ties(rnd);
        float[] w = weights(rnd, values.length);
        int row = (int) SHAPE[3];
        float[] expected = new float[values.length];
        for (int r = 0; r < values.length / row; r++) {
            int first = r * row;
            float total = 0;
            for (int j = r * row; j < (r + 1) * row; j++) {
                first = values[j] > values[first] ? j : first;
                total += w[j];
            }
            expected[first] = total;
        }
        float[] got = run(b, y, values, w);
        for (int i = 0; i < expected.length; i++) {
            assertThat(got[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    /** -1, 0, 0.5 or 1: most groups tie. */
    private static float[] ties(Random rnd) {
        float[] levels = {-1, 0, 0.5f, 1};
        float[] v = new float[(int) BackwardTestSupport.count(SHAPE)];
        for (int i = 0; i < v.length; i++) {
            v[i] = levels[rnd.nextInt(levels.length)];
        }
        return v;
    }

    /** Weights 1 to 7, mostly different: which output sent what shows in the result. */
    private static float[] weights(Random rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = 1 + rnd.nextInt(7);
        }
        return w;
    }

    /** The flat index of each element's group: its coordinates on the kept axes, row-major. */
    private static int[] groups(boolean[] reduced) {
        int n = (int) BackwardTestSupport.count(SHAPE);
        int[] groupOf = new int[n];
        for (int i = 0; i < n; i++) {
            int rest = i;
            int group = 0;
            int stride = 1;
            for (int a = SHAPE.length - 1; a >= 0; a--) {
                int coordinate = rest % (int) SHAPE[a];
                rest /= (int) SHAPE[a];
                if (!reduced[a]) {
                    group += coordinate * stride;
                    stride *= (int) SHAPE[a];
                }
            }
            groupOf[i] = group;
        }
        return groupOf;
    }

    private static float[] run(ModelBuilder b, String y, float[] values, float[] w) {
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            BackwardSpec spec = new BackwardSpec(y, RuleSet.exact(), StartSignal.ONES, false);
            return engine.run(spec, new TensorValue("x", SHAPE, values), List.of(w)).reconstruction().data();
        }
    }
}
