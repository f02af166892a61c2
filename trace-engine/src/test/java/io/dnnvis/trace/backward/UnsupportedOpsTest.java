package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.rules.RuleSet;
import io.dnnvis.trace.UnsupportedGraphException;
import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.trace.backward.BackwardTestSupport.count;
import static io.dnnvis.trace.backward.BackwardTestSupport.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Ops without a backward rule: every one on the path from the input to the target is named in one
 * compile error; those the target does not depend on, or that carry no signal, do not matter.
 */
class UnsupportedOpsTest {

    private static final long[] INPUT = {1, 3, 6, 6};

    private static BackwardSpec saliNet(String target) {
        return new BackwardSpec(target, RuleSet.exact(), StartSignal.ONES, false);
    }

    /** The list of nodes at the end of the message, after the target's name. */
    private static String listed(String message) {
        return message.substring(message.lastIndexOf("': ") + 3);
    }

    @Test
    void twoOpsInAChainAreBothListedInOneMessage() {
        Random rnd = new Random(1);
        ModelBuilder b = ModelBuilder.create(13).name("chain");
        String x = b.input("x", INPUT);
        String conv = b.conv(x, 3, 4, 3, 1, 1, 1, rnd);
        String sin = b.node("Sin", List.of(conv));
        String norm = b.node("LpNormalization", List.of(sin), intAttr("axis", 1), intAttr("p", 2));
        String target = b.relu(norm);
        b.output(target);
        OnnxModel model = b.load();
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            assertThatThrownBy(() -> engine.compile(saliNet(target), INPUT))
                    .isInstanceOf(UnsupportedGraphException.class)
                    .hasMessageContaining("no backward rule for 2 nodes")
                    .hasMessageContaining("Sin 'Sin_1'")
                    .hasMessageContaining("LpNormalization 'LpNormalization_1'")
                    .hasMessageContaining("'" + x + "'")
                    .hasMessageContaining("'" + target + "'")
                    .satisfies(e -> assertThat(listed(e.getMessage()))
                            .isEqualTo("Sin 'Sin_1', LpNormalization 'LpNormalization_1'"));
            // running fails the same way, before any session exists
            assertThatThrownBy(() -> engine.run(saliNet(target), TensorValue.zeros(x, INPUT),
                    List.of(new float[(int) count(new long[] {1, 4, 6, 6})])))
                    .isInstanceOf(UnsupportedGraphException.class)
                    .hasMessageContaining("Sin 'Sin_1'");
            assertThat(engine.compiledCount()).isZero();
            // a target before the unsupported ops compiles
            assertThat(engine.compile(saliNet(conv), INPUT).targetTensor()).isEqualTo(conv);
        }
    }

    @Test
    void twoOpsOnParallelBranchesAreBothListed() {
        ModelBuilder b = ModelBuilder.create(13).name("branches");
        String x = b.input("x", INPUT);
        String sin = b.node("Sin", List.of(x));
        String cos = b.node("Cos", List.of(b.relu(x)));
        String target = b.add(sin, cos);
        b.output(target);
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            assertThatThrownBy(() -> engine.compile(saliNet(target), INPUT))
                    .isInstanceOf(UnsupportedGraphException.class)
                    .hasMessageContaining("2 nodes")
                    .satisfies(e -> assertThat(listed(e.getMessage()).split(", "))
                            .containsExactlyInAnyOrder("Sin 'Sin_1'", "Cos 'Cos_1'"));
            // the message names an op as many times as it has nodes on the path
            ModelBuilder twice = ModelBuilder.create(13).name("twice");
            String in = twice.input("x", INPUT);
            String t = twice.add(twice.node("Sin", List.of(in)), twice.node("Sin", List.of(twice.relu(in))));
            twice.output(t);
            try (BackwardEngine other = BackwardEngine.open(twice.load(), EngineOptions.defaults())) {
                assertThatThrownBy(() -> other.compile(saliNet(t), INPUT))
                        .hasMessageContaining("2 nodes")
                        .satisfies(e -> assertThat(listed(e.getMessage()).split(", "))
                                .containsExactlyInAnyOrder("Sin 'Sin_1'", "Sin 'Sin_2'"));
            }
        }
    }

    @Test
    void unsupportedOpsOffThePathDoNotMatter() {
        Random rnd = new Random(2);
        ModelBuilder b = ModelBuilder.create(13).name("offpath");
        String x = b.input("x", INPUT);
        // on a branch the target does not depend on
        b.output(b.node("Erf", List.of(b.node("Sin", List.of(x)))));
        // in the forward pass to the target, but on the weights: it carries no signal
        String weights = b.node("Cos", List.of(b.randomInitializer("w", rnd, 1, 4, 3, 3, 3)));
        String conv = b.node("Conv", List.of(x, weights), io.dnnvis.onnx.build.OnnxProtos.intsAttr("pads", 1, 1, 1, 1));
        String target = b.relu(conv);
        b.output(target);
        // after the target
        b.output(b.node("LpNormalization", List.of(target), intAttr("axis", 1)));
        OnnxModel model = b.load();

        // the same net without the unsupported ops: Cos applied to the weights by hand
        ModelBuilder plain = ModelBuilder.create(13).name("plain");
        String px = plain.input("x", INPUT);
        float[] w = new float[4 * 3 * 3 * 3];
        Random again = new Random(2);
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) Math.cos(-1 + 2 * again.nextFloat());
        }
        String pt = plain.relu(plain.node("Conv", List.of(px, plain.initializer("w", new long[] {4, 3, 3, 3}, w)),
                io.dnnvis.onnx.build.OnnxProtos.intsAttr("pads", 1, 1, 1, 1)));
        plain.output(pt);

        Random r = new Random(3);
        float[] x0 = uniform(r, (int) count(INPUT), -1, 1);
        List<float[]> sel = List.of(uniform(r, 4 * 36, -1, 1));
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults());
                BackwardEngine reference = BackwardEngine.open(plain.load(), EngineOptions.defaults())) {
            float[] got = engine.run(saliNet(target), new TensorValue(x, INPUT, x0), sel).reconstruction().data();
            float[] want = reference.run(saliNet(pt), new TensorValue(px, INPUT, x0), sel).reconstruction().data();
            assertThat(BackwardTestSupport.maxAbs(want)).isGreaterThan(0);
            assertThat(got).hasSameSizeAs(want);
            for (int k = 0; k < got.length; k++) {
                assertThat(got[k]).as("element %d", k)
                        .isCloseTo(want[k], org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(want[k]))));
            }
        }
    }
}
