package io.dnnvis.trace.backward;

import static io.dnnvis.onnx.build.OnnxProtos.floatAttr;
import static io.dnnvis.onnx.build.OnnxProtos.stringAttr;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.GateRules;
import io.dnnvis.trace.backward.rules.ReluRule;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gate rules ({@link GateRules}) on one-gate models {@code x -> Conv -> gate -> y}, started at y
 * with signed signals R: at the gate's input z the guided rule must send {@code g'(z) * max(R, 0)} and
 * DeconvNet's {@code max(R, 0)}, with g' computed here in Java from the forward values of z; a Clip whose
 * minimum is not 0 and a Mul that is no gate keep the exact gradient.
 */
class GateRulesTest {

    static final RuleSet GUIDED = GateRules.guided(RuleSet.exact().named("guided"));
    static final RuleSet DECONVNET = GateRules.deconvnet(RuleSet.exact().named("deconvnet"));
    static final long[] INPUT = {1, 2, 5, 5};
    static final int CHANNELS = 3;

    /** The host derivative of a gate at forward value z in channel c. */
    @FunctionalInterface
    interface Derivative {
        double at(double z, int channel);
    }

    /** A gate: how to build it after the Conv, and its derivative. */
    record Gate(String name, long opset, BiFunction<ModelBuilder, String, String> build, Derivative derivative) {
        @Override
        public String toString() {
            return name + " (opset " + opset + ")";
        }
    }

    static final float[] SLOPES = {0.25f, -0.5f, 0.05f};

    static Stream<Gate> gates() {
        return Stream.of(
                new Gate("LeakyRelu", 13, (b, z) -> b.node("LeakyRelu", List.of(z), floatAttr("alpha", 0.1f)),
                        (z, c) -> z > 0 ? 1 : 0.1f),
                new Gate("LeakyRelu default alpha", 13, (b, z) -> b.node("LeakyRelu", List.of(z)),
                        (z, c) -> z > 0 ? 1 : 0.01f),
                new Gate("PRelu per channel", 13, (b, z) -> b.node("PRelu", List.of(z,
                        b.initializer("slope", new long[] {CHANNELS, 1, 1}, SLOPES))), (z, c) -> z > 0 ? 1 : SLOPES[c]),
                new Gate("Clip(0, 6) inputs", 13, (b, z) -> b.clip(z, 0f, 6f), (z, c) -> z >= 0 && z <= 6 ? 1 : 0),
                new Gate("Clip(0, 6) attributes", 10, (b, z) -> b.clip(z, 0f, 6f), (z, c) -> z >= 0 && z <= 6 ? 1 : 0),
                new Gate("Clip(0, no max)", 13, (b, z) -> b.node("Clip", List.of(z,
                        b.initializer("lo", new long[0], new float[] {0f}))), (z, c) -> z >= 0 ? 1 : 0),
                new Gate("HardSwish", 14, (b, z) -> b.node("HardSwish", List.of(z)), GateRulesTest::hardSwish),
                new Gate("Gelu", 20, (b, z) -> b.node("Gelu", List.of(z)), GateRulesTest::gelu),
                new Gate("Gelu tanh", 20, (b, z) -> b.node("Gelu", List.of(z), stringAttr("approximate", "tanh")),
                        GateRulesTest::geluTanh),
                new Gate("SiLU x * Sigmoid(x)", 13, (b, z) -> b.mul(z, b.sigmoid(z)), GateRulesTest::silu),
                new Gate("SiLU Sigmoid(x) * x", 13, (b, z) -> b.mul(b.sigmoid(z), z), GateRulesTest::silu),
                new Gate("HardSwish x * HardSigmoid(x)", 13, (b, z) -> b.mul(z, b.hardSigmoid(z, 1f / 6, 0.5f)),
                        GateRulesTest::hardSwish),
                new Gate("GELU (x * a) * 0.5", 13, (b, z) -> b.mul(b.mul(z, erfTerm(b, z, false)), half(b)),
                        GateRulesTest::gelu),
                new Gate("GELU 0.5 * (a * x), x * 0.7071", 13, (b, z) -> b.mul(half(b), b.mul(erfTerm(b, z, true), z)),
                        GateRulesTest::gelu),
                new Gate("GELU (x * 0.5) * a", 13, (b, z) -> b.mul(b.mul(z, half(b)), erfTerm(b, z, false)),
                        GateRulesTest::gelu));
    }

    /** {@code 1 + erf(z / sqrt 2)} as PyTorch writes it: {@code Add(Erf(Div(z, 1.4142135)), 1)}, or with a Mul. */
    static String erfTerm(ModelBuilder b, String z, boolean multiply) {
        String scaled = multiply ? b.mul(z, b.initializer("rsqrt2", new long[0], new float[] {(float) Math.sqrt(0.5)}))
                : b.node("Div", List.of(z, b.initializer("sqrt2", new long[0], new float[] {(float) Math.sqrt(2)})));
        return b.add(b.node("Erf", List.of(scaled)), b.initializer("one", new long[0], new float[] {1f}));
    }

    static String half(ModelBuilder b) {
        return b.initializer("half", new long[0], new float[] {0.5f});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gates")
    void theGuidedRuleIsTheDerivativeTimesThePositiveSignal(Gate gate) {
        Run run = Run.of(gate, GUIDED);
        double[] expected = new double[run.signal.length];
        for (int k = 0; k < expected.length; k++) {
            int i = k % run.z.length;
            expected[k] = gate.derivative().at(run.z[i], channel(i)) * Math.max(run.signal[k], 0);
        }
        assertClose(run.atZ, expected);
        assertThat(countPositive(run.atZ) + countNegative(run.atZ)).as("some signal gets through").isGreaterThan(10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gates")
    void deconvNetsGateRuleIsThePositiveSignal(Gate gate) {
        Run run = Run.of(gate, DECONVNET);
        double[] expected = new double[run.signal.length];
        for (int k = 0; k < expected.length; k++) {
            expected[k] = Math.max(run.signal[k], 0);
        }
        assertClose(run.atZ, expected);
    }

    @Test
    void aClipWhoseMinimumIsNotZeroKeepsTheExactGradient() {
        for (long opset : new long[] {10, 13}) {
            Gate clip = new Gate("Clip(-1, 6)", opset, (b, z) -> b.clip(z, -1f, 6f), (z, c) -> z >= -1 && z <= 6 ? 1 : 0);
            for (RuleSet rules : List.of(GUIDED, DECONVNET)) {
                Run run = Run.of(clip, rules);
                double[] expected = new double[run.signal.length];
                for (int k = 0; k < expected.length; k++) {
                    expected[k] = clip.derivative().at(run.z[k % run.z.length], 0) * run.signal[k];
                }
                assertClose(run.atZ, expected);
                assertThat(countNegative(run.atZ)).as("negative signal passes").isGreaterThan(5);
            }
        }
    }

    @Test
    void aMulThatIsNoGateKeepsTheExactGradient() {
        // z * Sigmoid(w), w another tensor: no gate; the gradient at z is R * sigmoid(w)
        ModelBuilder b = ModelBuilder.create(13);
        Random rnd = new Random(5);
        String x = b.input("x", INPUT);
        String z = b.conv(x, 2, CHANNELS, 3, 1, 1, 1, rnd);
        String w = b.conv(x, 2, CHANNELS, 3, 1, 1, 1, rnd);
        String s = b.sigmoid(w);
        String y = b.output(b.mul(z, s));
        OnnxModel model = b.load();
        TensorValue input = input(model);
        float[][] signal = signals();
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            float[] sig = engine.tracer().trace(input, List.of(s)).get(s).data();
            BackwardResult r = engine.run(new BackwardSpec(y, List.of(z), GUIDED, StartSignal.ONES, false), input,
                    List.of(signal));
            float[] atZ = r.reconstruction().data();
            double[] expected = new double[atZ.length];
            for (int k = 0; k < expected.length; k++) {
                expected[k] = signal[k / sig.length][k % sig.length] * (double) sig[k % sig.length];
            }
            assertClose(atZ, expected);
        }
    }

    @Test
    void aCompositeGateSendsNothingThroughItsInnerBranch() {
        ModelBuilder b = ModelBuilder.create(13);
        Random rnd = new Random(3);
        String x = b.input("x", INPUT);
        String z = b.conv(x, 2, CHANNELS, 3, 1, 1, 1, rnd);
        String s = b.sigmoid(z);
        String y = b.output(b.mul(z, s));
        OnnxModel model = b.load();
        TensorValue input = input(model);
        float[][] signal = signals();
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            Map<String, TensorValue> guided = engine.run(new BackwardSpec(y, GUIDED, StartSignal.ONES, true), input,
                    List.of(signal)).signals();
            assertThat(guided).containsKeys(y, z).doesNotContainKey(s);
            Map<String, TensorValue> exact = engine.run(new BackwardSpec(y, RuleSet.exact(), StartSignal.ONES, true),
                    input, List.of(signal)).signals();
            assertThat(exact).containsKeys(y, z, s);
        }
    }

    @Test
    void theGateSetsAreValues() {
        assertThat(GateRules.guided(RuleSet.exact().named("guided"))).isEqualTo(GUIDED).hasSameHashCodeAs(GUIDED);
        assertThat(GateRules.deconvnet(RuleSet.exact().named("deconvnet"))).isEqualTo(DECONVNET);
        assertThat(GUIDED.rule("Relu")).contains(ReluRule.DESALINET);
        assertThat(DECONVNET.rule("Relu")).contains(ReluRule.DECONVNET);
        assertThat(GUIDED).isNotEqualTo(RuleSet.exact().with("Relu", ReluRule.DESALINET).named("guided"));
        assertThat(GUIDED.rule("Conv")).isEqualTo(RuleSet.exact().rule("Conv"));
    }

    // ---------------------------------------------------------------- the runs

    /** A gate's model run backward from y to z: z's forward values, the start signals R and the signal at z. */
    record Run(float[] z, float[] signal, float[] atZ) {

        static Run of(Gate gate, RuleSet rules) {
            ModelBuilder b = ModelBuilder.create(gate.opset());
            Random rnd = new Random(gate.name().hashCode());
            String z = b.conv(b.input("x", INPUT), 2, CHANNELS, 3, 1, 1, 1, rnd);
            String y = b.output(gate.build().apply(b, z));
            OnnxModel model = b.load();
            TensorValue input = input(model);
            float[][] signal = signals();
            try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
                float[] zs = engine.tracer().trace(input, List.of(z)).get(z).data();
                BackwardResult r = engine.run(new BackwardSpec(y, List.of(z), rules, StartSignal.ONES, false), input,
                        List.of(signal));
                float[] flat = new float[signal.length * signal[0].length];
                for (int k = 0; k < signal.length; k++) {
                    System.arraycopy(signal[k], 0, flat, k * signal[k].length, signal[k].length);
                }
                return new Run(zs, flat, r.reconstruction().data());
            }
        }
    }

    /** Input values in [-6, 6]: the Conv's outputs then cross every kink (ReLU6's 6, HardSwish's +-3). */
    static TensorValue input(OnnxModel model) {
        Random rnd = new Random(11);
        float[] v = new float[2 * 5 * 5];
        for (int k = 0; k < v.length; k++) {
            v[k] = -6 + 12 * rnd.nextFloat();
        }
        return TensorValue.owning(model.graph().inputs().get(0).name(), INPUT, v);
    }

    /** Two start signals of y's shape, signed, in [-1, 1]. */
    static float[][] signals() {
        Random rnd = new Random(7);
        float[][] s = new float[2][CHANNELS * 25];
        for (float[] row : s) {
            for (int k = 0; k < row.length; k++) {
                row[k] = -1 + 2 * rnd.nextFloat();
            }
        }
        return s;
    }

    static int channel(int index) {
        return index / 25;
    }

    // ---------------------------------------------------------------- host derivatives

    static double hardSwish(double z, int c) {
        return z <= -3 ? 0 : z >= 3 ? 1 : z / 3 + 0.5;
    }

    static double silu(double z, int c) {
        double s = 1 / (1 + Math.exp(-z));
        return s + z * s * (1 - s);
    }

    static double gelu(double z, int c) {
        return 0.5 * (1 + erf(z / Math.sqrt(2))) + z * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    }

    static double geluTanh(double z, int c) {
        double k = Math.sqrt(2 / Math.PI);
        double t = Math.tanh(k * (z + 0.044715 * z * z * z));
        return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * k * (1 + 3 * 0.044715 * z * z);
    }

    /** erf by Simpson's rule on 2/sqrt(pi) exp(-t^2) (4,000 intervals: error far below float precision). */
    static double erf(double u) {
        int n = 4000;
        double h = u / n;
        double sum = 1 + Math.exp(-u * u);
        for (int i = 1; i < n; i++) {
            double t = i * h;
            sum += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
        }
        return 2 / Math.sqrt(Math.PI) * sum * h / 3;
    }

    // ---------------------------------------------------------------- comparisons

    static void assertClose(float[] got, double[] want) {
        assertThat(got).hasSize(want.length);
        double scale = 0;
        for (double w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        assertThat(scale).as("something to compare").isGreaterThan(0.1);
        for (int k = 0; k < want.length; k++) {
            assertThat(Math.abs(got[k] - want[k])).as("element %d: %s vs %s", k, got[k], want[k])
                    .isLessThanOrEqualTo(2e-6 * scale + 1e-7);
        }
    }

    static int countPositive(float[] v) {
        int n = 0;
        for (float f : v) {
            n += f > 0 ? 1 : 0;
        }
        return n;
    }

    static int countNegative(float[] v) {
        int n = 0;
        for (float f : v) {
            n += f < 0 ? 1 : 0;
        }
        return n;
    }
}
