package io.dnnvis.trace.backward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.UnsupportedGraphException;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * CastLike, as onnxscript and PyTorch's dynamo exporter write every constant beside a tensor
 * ({@code Add(x, CastLike(c, x))}): its second input gives only the type, so it takes no signal, and
 * the model's gradient is its twin's, where the constant is written as a float.
 */
class CastLikeTest {

    @Test
    void aCastLikeConstantTakesNoSignalFromTheTensorItIsLike() {
        float[] plain = gradient((b, h) -> null);
        assertThat(plain).isNotEqualTo(new float[plain.length]);
        assertThat(gradient((b, h) -> h)).containsExactly(plain);
    }

    /** A CastLike to an integer type on the signal path rounds: no gradient passes, and it is refused as Cast is. */
    @Test
    void aCastLikeToAnIntegerTypeOnTheSignalPathIsRefused() {
        ModelBuilder b = ModelBuilder.create(15);
        String x = b.input("x", 1, 2, 5, 5);
        String h = b.conv(x, 2, 3, 3, 1, 1, 1, new Random(3));
        String ints = b.initializerLongs("i", new long[] {1}, new long[] {0});
        String rounded = b.node("CastLike", List.of(h, ints));
        String y = b.output(b.node("Cast", List.of(rounded), io.dnnvis.onnx.build.OnnxProtos.intAttr("to", 1)));
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            assertThatThrownBy(() -> engine.compile(new BackwardSpec(y, RuleSet.exact(), StartSignal.ONES, false),
                    new long[] {1, 2, 5, 5})).isInstanceOf(UnsupportedGraphException.class)
                    .hasMessageContaining("CastLike to a non-float type");
        }
    }

    /**
     * A CastLike to the type of indices computed at run time (ArgMax, handed on by an Identity), too
     * many to be known as values before the run: still an integer type, still refused.
     */
    @Test
    void aCastLikeToComputedIndicesIsRefused() {
        ModelBuilder b = ModelBuilder.create(15);
        String h = b.conv(b.input("x", 1, 2, 9, 9), 2, 3, 3, 1, 1, 1, new Random(3));
        String indices = b.node("Identity", List.of(b.node("ArgMax", List.of(h),
                io.dnnvis.onnx.build.OnnxProtos.intAttr("axis", 1)))); // [1, 1, 9, 9]: 81 values
        String rounded = b.node("CastLike", List.of(h, indices));
        String y = b.output(b.node("Cast", List.of(rounded), io.dnnvis.onnx.build.OnnxProtos.intAttr("to", 1)));
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            assertThatThrownBy(() -> engine.compile(new BackwardSpec(y, RuleSet.exact(), StartSignal.ONES, false),
                    new long[] {1, 2, 9, 9})).isInstanceOf(UnsupportedGraphException.class)
                    .hasMessageContaining("CastLike to a non-float type");
        }
    }

    /**
     * The type a CastLike copies from a float tensor that no signal reaches (ConstantOfShape's zeros,
     * Floor of an activation): it passes the signal as the model with a float constant does.
     */
    @Test
    void aCastLikeToAComputedFloatTypePassesTheSignal() {
        float[] plain = gradient((b, h) -> null);
        assertThat(gradient((b, h) -> b.node("ConstantOfShape", List.of(b.node("Shape", List.of(h)))))).containsExactly(plain);
        assertThat(gradient((b, h) -> b.node("Floor", List.of(h)))).containsExactly(plain);
    }

    /**
     * The SaliNet gradient of {@code relu((h + c') * h)}, {@code h} a Conv of the input, every output
     * element started with 1: {@code c'} is the float constant 0.25, or {@code CastLike(0.25, like)}
     * where {@code like} (given the builder and {@code h}) is not null.
     */
    private static float[] gradient(java.util.function.BiFunction<ModelBuilder, String, String> like) {
        ModelBuilder b = ModelBuilder.create(15);
        String x = b.input("x", 1, 2, 5, 5);
        String h = b.conv(x, 2, 3, 3, 1, 1, 1, new Random(3));
        String c = b.initializer("c", new long[] {}, new float[] {0.25f});
        String model = like.apply(b, h);
        String shift = model == null ? c : b.node("CastLike", List.of(c, model));
        String y = b.output(b.relu(b.mul(b.add(h, shift), h)));
        Random r = new Random(4);
        float[] v = new float[2 * 5 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            float[] ones = new float[3 * 5 * 5];
            java.util.Arrays.fill(ones, 1f);
            return engine.run(new BackwardSpec(y, RuleSet.exact(), StartSignal.ONES, false),
                    new TensorValue("x", new long[] {1, 2, 5, 5}, v), List.of(ones)).reconstruction().data();
        }
    }
}
