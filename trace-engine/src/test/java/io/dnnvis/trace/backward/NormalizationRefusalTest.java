package io.dnnvis.trace.backward;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.UnsupportedGraphException;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * LayerNormalization and GroupNormalization send signal to x alone: a path through their scale,
 * bias or LayerNormalization's Mean and InvStdDev outputs is refused at compile time.
 */
class NormalizationRefusalTest {

    private static final long[] INPUT = {1, 4, 5};

    private static void assertRefused(ModelBuilder b, String target, String why) {
        b.output(target);
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            assertThatThrownBy(() -> engine.compile(new BackwardSpec(target, RuleSet.exact(), StartSignal.ONES,
                    false), INPUT))
                    .isInstanceOf(UnsupportedGraphException.class)
                    .hasMessageContaining(why);
        }
    }

    /** A [n] tensor computed from x: signal reaches it. */
    private static String fromX(ModelBuilder b, String x, long n) {
        return b.node("Slice", List.of(b.node("Reshape", List.of(x, b.initializerLongs("flat", new long[] {1},
                new long[] {-1}))), b.initializerLongs("start", new long[] {1}, new long[] {0}),
                b.initializerLongs("end", new long[] {1}, new long[] {n})));
    }

    @Test
    void layerNormalizationRefusesSignalThroughItsScale() {
        ModelBuilder b = ModelBuilder.create(17).name("scale");
        String x = b.input("x", INPUT);
        assertRefused(b, b.node("LayerNormalization", List.of(x, fromX(b, x, 5))),
                "signal through the LayerNormalization scale or bias");
    }

    @Test
    void layerNormalizationRefusesSignalThroughItsMeanOutput() {
        ModelBuilder b = ModelBuilder.create(17).name("mean");
        String x = b.input("x", INPUT);
        String scale = b.randomInitializer("scale", new Random(1), 1, 5);
        List<String> outs = b.nodeMulti("LayerNormalization", List.of(x, scale), 3);
        assertRefused(b, b.node("Add", List.of(outs.get(0), outs.get(1))),
                "signal through the LayerNormalization Mean or InvStdDev outputs");
    }

    @Test
    void groupNormalizationRefusesSignalThroughItsBias() {
        ModelBuilder b = ModelBuilder.create(21).name("bias");
        String x = b.input("x", INPUT);
        String scale = b.randomInitializer("scale", new Random(2), 1, 4);
        assertRefused(b, b.node("GroupNormalization", List.of(x, scale, fromX(b, x, 4)), intAttr("num_groups", 2)),
                "signal through the GroupNormalization scale or bias");
    }

    @Test
    void theSameModelsWithConstantParametersCompile() {
        ModelBuilder b = ModelBuilder.create(17).name("constant");
        String x = b.input("x", INPUT);
        String scale = b.randomInitializer("scale", new Random(3), 1, 5);
        String target = b.nodeMulti("LayerNormalization", List.of(x, scale), 3).get(0);
        b.output(target);
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            assertThat(engine.compile(new BackwardSpec(target, RuleSet.exact(), StartSignal.ONES, false), INPUT)
                    .targetTensor()).isEqualTo(target);
        }
    }
}
