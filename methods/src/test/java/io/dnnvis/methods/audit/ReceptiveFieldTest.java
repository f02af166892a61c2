package io.dnnvis.methods.audit;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;
import static io.dnnvis.onnx.build.OnnxProtos.stringAttr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.TargetRequest;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Receptive fields from the graph against an independent computation: the bounding box of the
 * support of the exact gradient (SaliNet from one position of one unit) on graphs with positive
 * weights and a positive input, so that no contribution cancels. Max pooling sends its gradient to
 * one element per window only, so these graphs pool by averaging (the GlyphNet reference covers
 * MaxPool).
 */
class ReceptiveFieldTest {

    private static final int SIZE = 23;

    /** A Conv with weights in [0.1, 1] and no bias. */
    private static String conv(ModelBuilder b, String x, int in, int out, int k, int s, int p, int d, Random rnd) {
        float[] w = new float[out * in * k * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.1f + 0.9f * rnd.nextFloat();
        }
        String weights = b.initializer("w" + rnd.nextInt(1_000_000), new long[] {out, in, k, k}, w);
        return b.node("Conv", List.of(x, weights), intsAttr("kernel_shape", k, k), intsAttr("strides", s, s),
                intsAttr("pads", p, p, p, p), intsAttr("dilations", d, d), intAttr("group", 1));
    }

    private static OnnxModel build(BiFunction<ModelBuilder, String, String> body) {
        return build(13, body);
    }

    private static OnnxModel build(int opset, BiFunction<ModelBuilder, String, String> body) {
        ModelBuilder b = ModelBuilder.create(opset);
        String x = b.input("image", 1, 3, SIZE, SIZE);
        b.output(body.apply(b, x));
        return b.load();
    }

    /**
     * Every position of unit 0 of the model's output: the box from the graph equals the gradient's
     * support (the whole image where that is empty).
     */
    private static void assertFieldsAreGradientSupports(OnnxModel model) {
        Random rnd = new Random(7);
        float[] data = new float[3 * SIZE * SIZE];
        for (int i = 0; i < data.length; i++) {
            data[i] = 0.5f + 0.5f * rnd.nextFloat();
        }
        TensorValue input = new TensorValue("image", new long[] {1, 3, SIZE, SIZE}, data);
        String out = model.graph().outputs().get(0).name();
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            Map<String, long[]> shapes = new HashMap<>(vis.tracer().shapes(Map.of("image", input.shape())));
            shapes.put("image", input.shape());
            ReceptiveField field = new ReceptiveField(model, shapes, 2, 3);
            long[] shape = shapes.get(out);
            int checked = 0;
            for (int y = 0; y < shape[2]; y++) {
                for (int x = 0; x < shape[3]; x++) {
                    TargetRequest request = TargetRequest.of(BackwardMethod.SALINET,
                            new Target.NeuronScore(0, Optional.of(new GridPoint(y, x))), out);
                    ReceptiveField.Box support = support(vis.run(request, input).tensor().data());
                    // a position that reads no pixel (only pads) gets the whole image, as a crop must show something
                    assertThat(field.at(out, y, x)).as("position (%d, %d)", y, x)
                            .isEqualTo(support.y1() < 0 ? field.whole() : support);
                    checked++;
                }
            }
            assertThat(checked).isGreaterThan(3);
        }
    }

    /** The bounding box of the nonzero elements of a gradient {@code [1, 3, SIZE, SIZE]}. */
    private static ReceptiveField.Box support(float[] grad) {
        int y0 = SIZE;
        int x0 = SIZE;
        int y1 = -1;
        int x1 = -1;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    if (grad[(c * SIZE + y) * SIZE + x] != 0) {
                        y0 = Math.min(y0, y);
                        x0 = Math.min(x0, x);
                        y1 = Math.max(y1, y);
                        x1 = Math.max(x1, x);
                    }
                }
            }
        }
        return new ReceptiveField.Box(y0, x0, y1, x1);
    }

    /** Where a tensor's image rows and columns are: followed through Transposes, lost by reshapes. */
    @Test
    void imageAxesFollowTransposesAndChannelsLastLayersAreRefused() {
        Random rnd = new Random(9);
        String[] names = new String[7];
        OnnxModel model = build((b, x) -> {
            names[0] = conv(b, x, 3, 4, 3, 1, 1, 1, rnd);
            names[1] = b.node("Transpose", List.of(names[0]), intsAttr("perm", 0, 2, 3, 1));
            float[] w = new float[4 * 6];
            java.util.Arrays.fill(w, 0.5f);
            names[2] = b.node("MatMul", List.of(names[1], b.initializer("linear", new long[] {4, 6}, w)));
            names[3] = b.relu(names[2]);
            names[4] = b.node("Transpose", List.of(names[3]), intsAttr("perm", 0, 3, 1, 2));
            float[] v = new float[SIZE * 5];
            java.util.Arrays.fill(v, 0.1f);
            // a MatMul over the columns of a channels-first tensor mixes them: lost
            names[5] = b.node("MatMul", List.of(names[4], b.initializer("across", new long[] {SIZE, 5}, v)));
            names[6] = b.flatten(names[5], 1);
            return names[6];
        });
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            Map<String, long[]> shapes = new HashMap<>(vis.tracer().shapes(Map.of("image", new long[] {1, 3, SIZE, SIZE})));
            shapes.put("image", new long[] {1, 3, SIZE, SIZE});
            ReceptiveField field = new ReceptiveField(model, shapes, 2, 3);
            int[][] expected = {{2, 3}, {1, 2}, {1, 2}, {1, 2}, {2, 3}, null, null};
            for (int k = 0; k < names.length; k++) {
                assertThat(field.imageAxes(names[k]).orElse(null)).as(names[k]).isEqualTo(expected[k]);
            }
            for (int k : new int[] {0, 4}) {
                assertThat(Audit.on(vis, EngineOptions.defaults(), AuditRequest.of(names[k]),
                        ImageInput.Options.defaults()).layers()).hasSize(1);
            }
            for (int k : new int[] {1, 2}) {
                assertThatThrownBy(() -> Audit.on(vis, EngineOptions.defaults(), AuditRequest.of(names[k]),
                        ImageInput.Options.defaults()).layers()).isInstanceOf(BadRequestException.class)
                        .hasMessageContaining("channels last");
            }
        }
    }

    @Test
    void stridedPaddedAndPooledLayers() {
        Random rnd = new Random(1);
        assertFieldsAreGradientSupports(build((b, x) -> {
            String a = conv(b, x, 3, 4, 3, 2, 1, 1, rnd);
            String c = conv(b, b.relu(a), 4, 4, 5, 1, 2, 1, rnd);
            String p = b.avgPool(c, 3, 2, 1, true);
            return conv(b, p, 4, 2, 2, 1, 0, 1, rnd);
        }));
    }

    @Test
    void dilatedLayers() {
        Random rnd = new Random(2);
        assertFieldsAreGradientSupports(build((b, x) -> {
            String a = conv(b, x, 3, 4, 3, 1, 2, 2, rnd);
            return conv(b, a, 4, 2, 3, 2, 1, 3, rnd);
        }));
    }

    @Test
    void aResidualAdd() {
        Random rnd = new Random(3);
        assertFieldsAreGradientSupports(build((b, x) -> {
            String a = conv(b, x, 3, 4, 3, 2, 0, 1, rnd);
            String c = conv(b, conv(b, a, 4, 4, 3, 1, 1, 1, rnd), 4, 4, 3, 1, 1, 1, rnd);
            return conv(b, b.add(a, c), 4, 2, 3, 2, 1, 1, rnd);
        }));
    }

    @Test
    void aConcatOfBranchesWithDifferentKernels() {
        Random rnd = new Random(4);
        assertFieldsAreGradientSupports(build((b, x) -> {
            String narrow = conv(b, x, 3, 2, 1, 2, 0, 1, rnd);
            String wide = conv(b, x, 3, 2, 5, 2, 2, 1, rnd);
            return conv(b, b.concat(1, narrow, wide), 4, 2, 3, 1, 1, 1, rnd);
        }));
    }

    @Test
    void samePaddingAndATransposedConvolution() {
        Random rnd = new Random(6);
        assertFieldsAreGradientSupports(build((b, x) -> {
            float[] w = new float[4 * 3 * 4 * 4];
            for (int i = 0; i < w.length; i++) {
                w[i] = 0.1f + rnd.nextFloat();
            }
            String same = b.node("Conv", List.of(x, b.initializer("ws", new long[] {4, 3, 4, 4}, w)),
                    intsAttr("kernel_shape", 4, 4), intsAttr("strides", 2, 2), stringAttr("auto_pad", "SAME_UPPER"));
            float[] t = new float[4 * 2 * 3 * 3];
            for (int i = 0; i < t.length; i++) {
                t[i] = 0.1f + rnd.nextFloat();
            }
            String up = b.node("ConvTranspose", List.of(same, b.initializer("wt", new long[] {4, 2, 3, 3}, t)),
                    intsAttr("kernel_shape", 3, 3), intsAttr("strides", 2, 2), intsAttr("pads", 1, 1, 1, 1));
            return conv(b, up, 2, 2, 3, 2, 0, 1, rnd);
        }));
    }

    /**
     * Explicit Pad nodes, as TensorFlow's ZeroPadding2D and asymmetric SAME padding export them: every
     * mode, pads as a constant input (opset 13) and as the attribute (opset 10), and negative pads
     * that crop; and Slices (Keras' Cropping2D, a stride).
     */
    @Test
    void padAndSliceNodes() {
        for (String mode : List.of("constant", "edge", "reflect")) {
            Random rnd = new Random(8);
            assertFieldsAreGradientSupports(build((b, x) -> {
                String padded = b.node("Pad", List.of(x, b.initializerLongs("p", new long[] {8},
                        new long[] {0, 0, 2, 1, 0, 0, 1, 3})), stringAttr("mode", mode));
                String a = conv(b, padded, 3, 4, 3, 2, 0, 1, rnd);
                String cropped = b.node("Pad", List.of(b.relu(a), b.initializerLongs("c", new long[] {8},
                        new long[] {0, 0, -1, 0, 0, 0, 0, 1})));
                return conv(b, cropped, 4, 2, 3, 1, 0, 1, rnd);
            }));
        }
        Random rnd = new Random(9);
        // Cropping2D as a Slice of rows and columns, and a Slice of every other column
        assertFieldsAreGradientSupports(build((b, x) -> {
            String a = conv(b, x, 3, 4, 3, 1, 1, 1, rnd);
            String cropped = b.node("Slice", List.of(a, b.initializerLongs("s0", new long[] {2}, new long[] {2, 1}),
                    b.initializerLongs("s1", new long[] {2}, new long[] {-1, 20}),
                    b.initializerLongs("s2", new long[] {2}, new long[] {2, 3})));
            String strided = b.node("Slice", List.of(cropped, b.initializerLongs("t0", new long[] {1}, new long[] {1}),
                    b.initializerLongs("t1", new long[] {1}, new long[] {100}),
                    b.initializerLongs("t2", new long[] {1}, new long[] {-1}),
                    b.initializerLongs("t3", new long[] {1}, new long[] {2})));
            return conv(b, strided, 4, 2, 3, 1, 0, 1, rnd);
        }));
        // two branches padded on opposite sides: a position that reads only the pad of one branch takes
        // nothing from it (not its columns without its rows)
        assertFieldsAreGradientSupports(build((b, x) -> {
            String top = b.node("Pad", List.of(x, b.initializerLongs("pt", new long[] {8},
                    new long[] {0, 0, 4, 3, 0, 0, 0, 0})));
            String bottom = b.node("Pad", List.of(x, b.initializerLongs("pb", new long[] {8},
                    new long[] {0, 0, 0, 0, 0, 0, 4, 3})));
            return conv(b, b.add(top, bottom), 3, 2, 1, 1, 0, 1, rnd);
        }));
        assertFieldsAreGradientSupports(build(10, (b, x) -> {
            String padded = b.node("Pad", List.of(x), intsAttr("pads", 0, 0, 0, 1, 0, 0, 1, 1));
            return conv(b, padded, 3, 2, 3, 2, 0, 1, rnd);
        }));
    }

    /**
     * A Softmax mixes only along its axis from opset 13 on, and before it along every axis from its
     * axis on (axis 1 of NCHW: the whole map): the field follows, axis by axis and opset by opset.
     */
    @Test
    void aSoftmaxMixesWhatItsOpsetSays() {
        for (int opset : new int[] {11, 13}) {
            for (long axis : new long[] {1, 2, 3, -1}) {
                Random rnd = new Random(opset * 5 + axis);
                assertFieldsAreGradientSupports(build(opset, (b, x) -> {
                    String a = conv(b, x, 3, 4, 3, 2, 1, 1, rnd);
                    String s = b.node("Softmax", List.of(a), intAttr("axis", axis));
                    return conv(b, s, 4, 2, 3, 1, 0, 1, rnd);
                }));
            }
        }
    }

    @Test
    void aGlobalPoolOnTheWayMakesTheFieldTheWholeImage() {
        Random rnd = new Random(5);
        OnnxModel model = build((b, x) -> {
            String a = conv(b, x, 3, 4, 3, 2, 1, 1, rnd);
            return b.mul(a, b.sigmoid(b.globalAvgPool(a)));
        });
        assertFieldsAreGradientSupports(model);
    }

    @Test
    void theReferenceRuleOnGlyphNetsFirstLayers() {
        // conv 5x5 pad 2, maxpool 3x3 stride 2: position (0, 0) of maxpool1 reads rows [-2, 4] -> [0, 4]
        OnnxModel glyph = OnnxModel.load(io.dnnvis.testdata.TestData.glyphNet());
        try (Visualizer vis = Visualizer.open(glyph, EngineOptions.defaults())) {
            Map<String, long[]> shapes = new HashMap<>(vis.tracer().shapes(Map.of("image", new long[] {1, 3, 64, 64})));
            shapes.put("image", new long[] {1, 3, 64, 64});
            ReceptiveField field = new ReceptiveField(glyph, shapes, 2, 3);
            String pool = glyph.graph().layer("maxpool1").tensor();
            assertThat(field.at(pool, 0, 0)).isEqualTo(new ReceptiveField.Box(0, 0, 4, 4));
            assertThat(field.at(pool, 10, 30)).isEqualTo(new ReceptiveField.Box(18, 58, 24, 63));
            assertThat(field.at(glyph.graph().layer("gemm1").tensor(), 0, 0)).isEqualTo(field.whole());
        }
    }
}
