package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.passes.PassSelection;
import io.dnnvis.trace.backward.rules.RuleSet;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.OrtSessions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.ReluRule;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
        Unpooled u = unpool(model, target, input, rnd);
        assertThat(u.got()).containsExactly(firstMaxGradient(values, u.selection(), u.oh(), u.ow(), kernel, stride, pad));
    }

    /**
     * {@code storage_order} 1 (opsets 8 to 10: MaxPool's Indices count column-major) changes where the
     * indices point, not which element of a window is the maximum: the signal still goes to the first
     * maximum in row-major order, whether it is read from the Indices (opset 10) or found by the
     * compiled graph (opset 11 on).
     */
    @ParameterizedTest(name = "opset {0}")
    @CsvSource({"8", "10", "11", "13"})
    void columnMajorIndicesSendTheSignalToTheSameMaxima(long opset) {
        ModelBuilder b = ModelBuilder.create(opset);
        String x = b.input("x", 1, C, H, W);
        String target = b.output(b.node("MaxPool", List.of(x), io.dnnvis.onnx.build.OnnxProtos.intsAttr("kernel_shape", 3, 3),
                io.dnnvis.onnx.build.OnnxProtos.intsAttr("strides", 2, 2),
                io.dnnvis.onnx.build.OnnxProtos.intsAttr("pads", 1, 1, 1, 1),
                io.dnnvis.onnx.build.OnnxProtos.intAttr("storage_order", 1)));
        OnnxModel model = b.load();
        Random rnd = new Random(opset);
        float[] values = new float[C * H * W];
        for (int i = 0; i < values.length; i++) {
            values[i] = rnd.nextInt(3) * 0.5f;
        }
        TensorValue input = new TensorValue("x", new long[] {1, C, H, W}, values);
        Unpooled u = unpool(model, target, input, rnd);
        assertThat(u.got()).containsExactly(firstMaxGradient(values, u.selection(), u.oh(), u.ow(), 3, 2, 1));
    }

    /**
     * A Pad of -inf before the MaxPool (max-pool padding as exporters write it, attribute or input
     * form): each window's signal still goes to its first maximum, the padding never. The graph's own
     * maxima (opset 11 on) gather windows with a Conv, where -inf times a filter's 0 would be NaN.
     */
    @ParameterizedTest(name = "opset {0}, kernel {1}, stride {2}")
    @CsvSource({
        "10, 3, 2",
        "11, 3, 2",
        "13, 3, 1",
        "13, 2, 2",
    })
    void aPadOfMinusInfinityBeforeThePoolKeepsEveryWindowsSignal(long opset, int kernel, int stride) {
        ModelBuilder b = ModelBuilder.create(opset);
        String x = b.input("x", 1, C, H - 1, W - 1);
        float minusInf = Float.NEGATIVE_INFINITY;
        String padded = opset < 11
                ? b.node("Pad", List.of(x), io.dnnvis.onnx.build.OnnxProtos.intsAttr("pads", 0, 0, 1, 1, 0, 0, 0, 0),
                        io.dnnvis.onnx.build.OnnxProtos.floatAttr("value", minusInf))
                : b.node("Pad", List.of(x, b.initializerLongs("pads", new long[] {8}, new long[] {0, 0, 1, 1, 0, 0, 0, 0}),
                        b.initializer("value", new long[] {}, new float[] {minusInf})));
        String target = b.output(b.maxPool(padded, kernel, stride, 0, false));
        OnnxModel model = b.load();
        Random rnd = new Random(opset * 13 + kernel + stride);
        float[] values = new float[C * (H - 1) * (W - 1)];
        float[] withPad = new float[C * H * W];
        for (int i = 0; i < withPad.length; i++) {
            int r = i / W % H;
            int q = i % W;
            boolean pad = r == 0 || q == 0;
            withPad[i] = pad ? minusInf : rnd.nextInt(3) * 0.5f - 1;
            if (!pad) {
                values[(i / (H * W) * (H - 1) + r - 1) * (W - 1) + q - 1] = withPad[i];
            }
        }
        TensorValue input = new TensorValue("x", new long[] {1, C, H - 1, W - 1}, values);
        Unpooled u = unpool(model, target, input, rnd);
        float[] atPadded = firstMaxGradient(withPad, u.selection(), u.oh(), u.ow(), kernel, stride, 0);
        float[] expected = new float[values.length];
        for (int i = 0; i < atPadded.length; i++) {
            int r = i / W % H;
            int q = i % W;
            if (r > 0 && q > 0) {
                expected[(i / (H * W) * (H - 1) + r - 1) * (W - 1) + q - 1] = atPadded[i];
            } else {
                assertThat(atPadded[i]).as("no window's maximum is the padding").isZero();
            }
        }
        assertThat(u.got()).containsExactly(expected);
    }

    /**
     * The two forms of switch unpooling on the same ties, each graph run here with three signals at
     * once: the graph for several signals, and the one for a single signal, which scatters into
     * parity planes where windows overlap (it must stay right for any number of signals). Where
     * windows do not overlap both scatter; where they overlap more than one neighbour neither does.
     */
    @ParameterizedTest(name = "kernel {0}, stride {1}, pad {2}, ceil {3}")
    @CsvSource({
        "3, 2, 1, false, ConvTranspose, MaxUnpool",
        "3, 2, 0, true, ConvTranspose, MaxUnpool",
        "2, 2, 0, false, MaxUnpool, MaxUnpool",
        "3, 1, 1, false, ConvTranspose, ConvTranspose",
    })
    void bothGraphsSendEachSignalOfABatchToItsFirstMaxima(int kernel, int stride, int pad, boolean ceil,
            String manySignalsForm, String oneSignalForm) throws OrtException {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, C, H, W);
        String target = b.output(b.maxPool(x, kernel, stride, pad, ceil));
        OnnxModel model = b.load();
        Random rnd = new Random(kernel * 7L + stride * 3L + pad + (ceil ? 1 : 0));
        float[] values = new float[C * H * W];
        for (int i = 0; i < values.length; i++) {
            values[i] = rnd.nextInt(3) * 0.5f;
        }
        BackwardSpec spec = new BackwardSpec(target, RuleSet.exact(), StartSignal.ONES, false);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults(), PassSelection.ALL)) {
            long[] y = engine.shapes(target, new long[] {1, C, H, W}).get(target);
            int cells = C * (int) (y[2] * y[3]);
            int signals = 3;
            float[] selections = new float[signals * cells];
            for (int i = 0; i < selections.length; i++) {
                selections[i] = 1 + rnd.nextInt(5);
            }
            for (boolean oneSignal : new boolean[] {false, true}) {
                CompiledBackward graph = engine.compile(spec, new long[] {1, C, H, W}, false, oneSignal);
                assertThat(graph.model().getGraph().getNodeList()).as("unpooling of the graph for %s",
                        oneSignal ? "one signal" : "several signals")
                        .anyMatch(n -> n.getOpType().equals(oneSignal ? oneSignalForm : manySignalsForm));
                try (OrtSession session = OrtSessions.create(graph.model(), EngineOptions.defaults(), model.path());
                        OnnxTensor image = OnnxTensor.createTensor(env, FloatBuffer.wrap(values),
                                new long[] {1, C, H, W});
                        OnnxTensor selection = OnnxTensor.createTensor(env, FloatBuffer.wrap(selections),
                                new long[] {signals, 1, C, y[2], y[3]});
                        OrtSession.Result result = session.run(Map.of(graph.imageInput(), image,
                                graph.start().selection(), selection), Set.of(graph.reconstructionOutput()))) {
                    float[] got = ((OnnxTensor) result.get(0)).getFloatBuffer().array();
                    assertThat(got).hasSize(signals * values.length);
                    for (int k = 0; k < signals; k++) {
                        float[] expected = firstMaxGradient(values,
                                Arrays.copyOfRange(selections, k * cells, (k + 1) * cells), (int) y[2], (int) y[3],
                                kernel, stride, pad);
                        assertThat(Arrays.copyOfRange(got, k * values.length, (k + 1) * values.length))
                                .as("signal %d of the graph for %s", k, oneSignal ? "one signal" : "several signals")
                                .containsExactly(expected);
                    }
                }
            }
        }
    }

    /**
     * Relu before the MaxPool, inputs with negatives and ties at 0 and above, signed start signals:
     * with a Relu rule that masks ({@code [x > 0]}: SaliNet, DeSaliNet) the unpooling drops windows
     * whose maximum is not positive and the Relu leaves its mask out, which must give exactly the
     * plain unpooling followed by the full Relu rule; DeconvNet's Relu does not mask and keeps the
     * plain unpooling. With the signals recorded, the signal at the Relu's output stays the plain one.
     */
    @ParameterizedTest(name = "{0}, kernel {1}, stride {2}, pad {3}")
    @CsvSource({
        "salinet, 3, 2, 1",
        "desalinet, 3, 2, 1",
        "deconvnet, 3, 2, 1",
        "desalinet, 2, 2, 0",
        "salinet, 3, 1, 1",
    })
    void aMaskingReluBeforeTheMaxPoolGetsExactlyThePlainResult(String method, int kernel, int stride, int pad) {
        ReluRule relu = switch (method) {
            case "salinet" -> ReluRule.GRADIENT;
            case "desalinet" -> ReluRule.DESALINET;
            default -> ReluRule.DECONVNET;
        };
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, C, H, W);
        String rectified = b.relu(x);
        String target = b.output(b.maxPool(rectified, kernel, stride, pad, false));
        OnnxModel model = b.load();
        Random rnd = new Random(method.hashCode() + kernel * 7L + stride * 3L + pad);
        float[] values = new float[C * H * W];
        for (int i = 0; i < values.length; i++) {
            values[i] = (rnd.nextInt(4) - 2) * 0.5f; // -1, -0.5, 0 or 0.5: many windows all 0 after the Relu, ties at 0.5
        }
        TensorValue input = new TensorValue("x", new long[] {1, C, H, W}, values);
        float[] y = new float[values.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.max(values[i], 0f);
        }
        RuleSet rules = RuleSet.exact().with("Relu", relu).named(method);
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults(), PassSelection.ALL)) {
            long[] pooled = engine.shapes(target, input.shape()).get(target);
            float[] selection = new float[C * (int) (pooled[2] * pooled[3])];
            for (int i = 0; i < selection.length; i++) {
                selection[i] = rnd.nextInt(5) - 2; // signed: a rectifying rule then sees sums of both signs
            }
            float[] atY = firstMaxGradient(y, selection, (int) pooled[2], (int) pooled[3], kernel, stride, pad);
            float[] expected = new float[atY.length];
            for (int i = 0; i < atY.length; i++) {
                float g = relu == ReluRule.GRADIENT ? atY[i] : Math.max(atY[i], 0f);
                expected[i] = relu == ReluRule.DECONVNET || values[i] > 0 ? g : 0f;
            }
            BackwardSpec spec = new BackwardSpec(target, rules, StartSignal.ONES, false);
            float[] got = engine.run(spec, input, List.of(selection)).reconstruction().data();
            assertThat(withoutSignedZeros(got)).containsExactly(expected);
            boolean masksAtY = engine.compile(spec, input.shape()).model().getGraph().getNodeList().stream()
                    .anyMatch(n -> n.getOpType().equals("Greater") && n.getInputList().contains(rectified));
            assertThat(masksAtY).as("the Relu's own mask").isFalse();

            BackwardSpec recorded = new BackwardSpec(target, rules, StartSignal.ONES, true);
            BackwardResult withSignals = engine.run(recorded, input, List.of(selection));
            assertThat(withoutSignedZeros(withSignals.reconstruction().data())).containsExactly(expected);
            assertThat(withSignals.signals().get(rectified).data()).as("signal at the Relu output").containsExactly(atY);
        }
    }

    /**
     * A signal the unpooling sent masked for the Relu before it, passed on unchanged by that Relu
     * (SaliNet, mask left out) and by an Add, reaches an earlier Relu under the same name: that Relu
     * must still apply its own mask ({@code x + 0.75 > 0} is not {@code x > 0}). Checked against the
     * graph that records the signals, where no mask is left out.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"salinet", "desalinet"})
    void aMaskedSignalPassedOnUnchangedIsMaskedAgainByAnEarlierRelu(String method) {
        ReluRule relu = method.equals("salinet") ? ReluRule.GRADIENT : ReluRule.DESALINET;
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, C, H, W);
        String shift = b.initializer("shift", new long[] {1}, new float[] {0.75f});
        String shifted = b.add(b.relu(x), shift);
        String target = b.output(b.maxPool(b.relu(shifted), 2, 2, 0, false));
        OnnxModel model = b.load();
        Random rnd = new Random(method.hashCode());
        float[] values = new float[C * H * W];
        for (int i = 0; i < values.length; i++) {
            values[i] = (rnd.nextInt(5) - 3) * 0.5f; // -1.5 to 0.5: x + 0.75 > 0 where x > 0 is not
        }
        TensorValue input = new TensorValue("x", new long[] {1, C, H, W}, values);
        RuleSet rules = RuleSet.exact().with("Relu", relu).named(method);
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            long[] pooled = engine.shapes(target, input.shape()).get(target);
            float[] selection = new float[C * (int) (pooled[2] * pooled[3])];
            for (int i = 0; i < selection.length; i++) {
                selection[i] = rnd.nextInt(5) - 2;
            }
            float[] got = engine.run(new BackwardSpec(target, rules, StartSignal.ONES, false), input,
                    List.of(selection)).reconstruction().data();
            float[] plain = engine.run(new BackwardSpec(target, rules, StartSignal.ONES, true), input,
                    List.of(selection)).reconstruction().data();
            assertThat(withoutSignedZeros(got)).containsExactly(withoutSignedZeros(plain));
            for (int i = 0; i < values.length; i++) {
                if (values[i] <= 0) {
                    assertThat(got[i]).as("where x <= 0, element %d", i).isZero();
                }
            }
        }
    }

    /** The values with -0 as 0 (a mask multiplying a negative signal by 0 gives -0). */
    private static float[] withoutSignedZeros(float[] values) {
        float[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += 0f;
        }
        return out;
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

    /** The exact backward net's signal at the input from one signal of a random weight 1..5 per pooled cell. */
    private record Unpooled(float[] got, float[] selection, int oh, int ow) {
    }

    private static Unpooled unpool(OnnxModel model, String target, TensorValue input, Random rnd) {
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            long[] y = engine.shapes(target, input.shape()).get(target);
            float[] selection = new float[C * (int) (y[2] * y[3])];
            for (int i = 0; i < selection.length; i++) {
                selection[i] = 1 + rnd.nextInt(5); // a different weight per window shows which window sent what
            }
            BackwardSpec spec = new BackwardSpec(target, RuleSet.exact(), StartSignal.ONES, false);
            return new Unpooled(engine.run(spec, input, List.of(selection)).reconstruction().data(), selection,
                    (int) y[2], (int) y[3]);
        }
    }
}
