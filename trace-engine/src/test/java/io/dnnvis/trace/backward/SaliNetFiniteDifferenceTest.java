package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.rules.RuleSet;
import static io.dnnvis.trace.backward.BackwardTestSupport.absDot;
import static io.dnnvis.trace.backward.BackwardTestSupport.axpy;
import static io.dnnvis.trace.backward.BackwardTestSupport.count;
import static io.dnnvis.trace.backward.BackwardTestSupport.dot;
import static io.dnnvis.trace.backward.BackwardTestSupport.rows;
import static io.dnnvis.trace.backward.BackwardTestSupport.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.ReluRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SaliNet (exact rules, start ONES, switch unpooling) on small random multi-branch graphs is the
 * gradient of {@code sum(w * T)}: its dot product with random directions d must equal the central
 * finite difference of {@code sum(w * T)} along d, T computed by ONNX Runtime's forward pass.
 */
class SaliNetFiniteDifferenceTest {

    private static final long[] INPUT = {1, 3, 8, 8};
    /** Small: these nets hold many kinks (Relu, Clip, MaxPool switches) that a larger step would cross. */
    private static final double EPS = 3e-4;
    private static final double TOL = 1e-2;

    /** A graph and the tensors (by a readable label) whose neurons are visualized. */
    record Net(String name, ModelBuilder builder, Map<String, String> targets) {
    }

    /** Conv -> BN -> Relu -> Conv, plus a 1x1 projection of x: Add -> Relu -> MaxPool -> Flatten -> Gemm. */
    static Net residual() {
        Random rnd = new Random(11);
        ModelBuilder b = ModelBuilder.create(13).name("residual");
        String x = b.input("x", INPUT);
        String c1 = b.conv(x, 3, 4, 3, 1, 1, 1, rnd);
        String r1 = b.relu(b.batchNorm(c1, 4, rnd));
        String c2 = b.conv(r1, 4, 4, 3, 1, 1, 1, rnd);
        String proj = b.conv(x, 3, 4, 1, 1, 0, 1, rnd);
        String add = b.add(c2, proj);
        String r2 = b.relu(add);
        String pool = b.maxPool(r2, 2, 2, 0, false);
        String fc = b.gemm(b.flatten(pool, 1), 64, 10, rnd);
        b.output(fc);
        Map<String, String> t = new LinkedHashMap<>();
        t.put("add", add);
        t.put("relu after add", r2);
        t.put("maxpool", pool);
        t.put("gemm", fc);
        return new Net("residual block", b, t);
    }

    /** Two branches (1x1 and 3x3 convolutions) concatenated, then BN, Clip, overlapping MaxPool, Gemm. */
    static Net concat() {
        Random rnd = new Random(12);
        ModelBuilder b = ModelBuilder.create(13).name("concat");
        String x = b.input("x", INPUT);
        String a = b.conv(x, 3, 3, 1, 1, 0, 1, rnd);
        String c = b.relu(b.conv(x, 3, 2, 3, 1, 1, 1, rnd));
        String cat = b.concat(1, a, c);
        String bn = b.batchNorm(cat, 5, rnd);
        String clip = b.clip(bn, -0.6f, 1.1f);
        String pool = b.maxPool(clip, 3, 2, 0, false);
        String fc = b.gemm(b.flatten(pool, 1), 45, 7, rnd);
        b.output(fc);
        Map<String, String> t = new LinkedHashMap<>();
        t.put("concat", cat);
        t.put("clip", clip);
        t.put("maxpool", pool);
        t.put("gemm", fc);
        return new Net("concat of two branches", b, t);
    }

    /** A gated product of two branches (Sigmoid(conv) * conv), overlapping MaxPool, GlobalAveragePool, Gemm. */
    static Net gated() {
        Random rnd = new Random(13);
        ModelBuilder b = ModelBuilder.create(13).name("gated");
        String x = b.input("x", INPUT);
        String gate = b.sigmoid(b.conv(x, 3, 4, 3, 1, 1, 1, rnd));
        String value = b.conv(x, 3, 4, 3, 2, 1, 1, rnd);
        String up = b.node("Resize", List.of(value, "", b.initializer("scales", new long[] {4},
                new float[] {1, 1, 2, 2})), io.dnnvis.onnx.build.OnnxProtos.stringAttr("mode", "nearest"));
        String mul = b.mul(gate, up);
        String pool = b.maxPool(mul, 3, 2, 1, false);
        String gap = b.node("GlobalAveragePool", List.of(pool));
        String fc = b.gemm(b.flatten(gap, 1), 4, 6, rnd);
        b.output(fc);
        Map<String, String> t = new LinkedHashMap<>();
        t.put("mul", mul);
        t.put("maxpool", pool);
        t.put("gemm", fc);
        return new Net("mul of two branches", b, t);
    }

    /** Everything at once: residual Add, Concat, BN, Clip, Mul of branches, MaxPool, Gemm, with fan-out. */
    static Net mixed() {
        Random rnd = new Random(14);
        ModelBuilder b = ModelBuilder.create(13).name("mixed");
        String x = b.input("x", INPUT);
        String stem = b.relu(b.batchNorm(b.conv(x, 3, 6, 3, 1, 1, 1, rnd), 6, rnd));
        String left = b.conv(stem, 6, 3, 1, 1, 0, 1, rnd);
        String right = b.clip(b.conv(stem, 6, 3, 3, 1, 1, 3, rnd), -0.4f, 0.7f);
        String cat = b.concat(1, left, right);
        String res = b.add(cat, stem);
        String prod = b.mul(res, b.node("Tanh", List.of(cat)));
        String pool = b.maxPool(prod, 2, 2, 0, false);
        String fc = b.gemm(b.flatten(pool, 1), 96, 5, rnd);
        b.output(fc);
        Map<String, String> t = new LinkedHashMap<>();
        t.put("add", res);
        t.put("mul", prod);
        t.put("maxpool", pool);
        t.put("gemm", fc);
        return new Net("mixed", b, t);
    }

    /** Nodes that read one tensor twice: x * x, x + x, Concat(x, x) (each reading adds its share). */
    static Net selfReading() {
        Random rnd = new Random(15);
        ModelBuilder b = ModelBuilder.create(13).name("self-reading");
        String x = b.input("x", INPUT);
        String y = b.conv(x, 3, 4, 3, 1, 1, 1, rnd);
        String square = b.mul(y, y);
        String twice = b.add(square, square);
        String cat = b.concat(1, twice, twice);
        String fc = b.gemm(b.flatten(b.maxPool(cat, 2, 2, 0, false), 1), 8 * 4 * 4, 5, rnd);
        b.output(fc);
        Map<String, String> t = new LinkedHashMap<>();
        t.put("mul", square);
        t.put("add", twice);
        t.put("concat", cat);
        t.put("gemm", fc);
        return new Net("self-reading", b, t);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Net net : List.of(residual(), concat(), gated(), mixed(), selfReading())) {
            net.targets().forEach((label, tensor) -> out.add(Arguments.of(net.name() + " -> " + label, net, tensor)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void saliNetIsTheGradientOfTheWeightedTarget(String label, Net net, String target) {
        assertThat(worstError(label, net, target, RuleSet.exact())).as(label).isLessThanOrEqualTo(TOL);
    }

    /** The same check rejects DeconvNet and DeSaliNet, which are not gradients. */
    /** The targets of the nets whose every path to the input meets a Relu. */
    static Stream<Arguments> reluCases() {
        return cases().filter(a -> ((Net) a.get()[1]).name().matches("residual block|mixed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reluCases")
    void deconvNetAndDeSaliNetAreNot(String label, Net net, String target) {
        RuleSet deconvNet = RuleSet.exact().with("Relu", ReluRule.DECONVNET);
        RuleSet deSaliNet = RuleSet.exact().with("Relu", ReluRule.DESALINET);
        assertThat(worstError(label, net, target, deconvNet)).as(label).isGreaterThan(10 * TOL);
        assertThat(worstError(label, net, target, deSaliNet)).as(label).isGreaterThan(10 * TOL);
    }

    /**
     * Over 4 random directions d and 2 random w (one batch of B = 2): the largest
     * {@code |fd - g.d| / max(|g.d|, 0.05 sum |g_i d_i|)}, g the backward net's result.
     */
    private static double worstError(String label, Net net, String target, RuleSet rules) {
        Random rnd = new Random(label.hashCode());
        float[] x0 = uniform(rnd, (int) count(INPUT), -1, 1);
        BackwardSpec spec = new BackwardSpec(target, rules, StartSignal.ONES, false);
        double worst = 0;
        try (BackwardEngine engine = BackwardEngine.open(net.builder().load(), EngineOptions.defaults())) {
            int m = (int) count(engine.shapes(target, INPUT).get(target));
            List<float[]> ws = List.of(uniform(rnd, m, -1, 1), uniform(rnd, m, -1, 1));
            BackwardResult r = engine.run(spec, new TensorValue("x", INPUT, x0), ws);
            List<float[]> grads = rows(r.reconstruction(), ws.size());
            for (int d = 0; d < 4; d++) {
                float[] dir = uniform(rnd, x0.length, -1, 1);
                float[] plus = forward(engine, axpy(x0, EPS, dir), target);
                float[] minus = forward(engine, axpy(x0, -EPS, dir), target);
                for (int k = 0; k < ws.size(); k++) {
                    double fd = (dot(plus, ws.get(k)) - dot(minus, ws.get(k))) / (2 * EPS);
                    double analytic = dot(dir, grads.get(k));
                    double scale = absDot(dir, grads.get(k));
                    assertThat(scale).as("%s: a gradient that is not zero", label).isGreaterThan(1e-3);
                    worst = Math.max(worst, Math.abs(fd - analytic) / Math.max(Math.abs(analytic), 0.05 * scale));
                }
            }
        }
        return worst;
    }

    private static float[] forward(BackwardEngine engine, float[] x, String target) {
        return engine.tracer().trace(new TensorValue("x", INPUT, x), List.of(target)).get(target).data();
    }
}
