package io.dnnvis.trace.backward;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;
import static io.dnnvis.onnx.build.OnnxProtos.tensorAttr;
import static io.dnnvis.trace.backward.BackwardTestSupport.count;
import static io.dnnvis.trace.backward.BackwardTestSupport.maxAbs;
import static io.dnnvis.trace.backward.BackwardTestSupport.rows;
import static io.dnnvis.trace.backward.BackwardTestSupport.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.UnsupportedGraphException;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * QDQ-quantized models: the QuantizeLinear → DequantizeLinear pair goes back straight through
 * where the quantization does not saturate ({@code qmin <= round(x / scale) + zp <= qmax}) and gives
 * zero where it does. Checked against independent math: the
 * backward of the same model with the pair replaced by a multiplication with that range mask
 * (and the Relu after it by a multiplication with its mask), both masks computed here on the host
 * from the quantized model's forward values.
 */
class QdqTest {

    private static final long[] INPUT = {1, 3, 6, 6};
    private static final long[] HIDDEN = {1, 4, 6, 6};

    /**
     * A form of the pair.
     *
     * @param type the quantized type (that of the zero point), null for no zero point (uint8)
     * @param perAxis one scale and zero point per channel (opset 13+)
     */
    record Form(String name, long opset, DataType type, boolean perAxis) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Form> forms() {
        return Stream.of(
                new Form("uint8 per-tensor opset 10", 10, DataType.UINT8, false),
                new Form("int8 per-tensor opset 13", 13, DataType.INT8, false),
                new Form("uint8 default, no zero point, opset 13", 13, null, false),
                new Form("int8 per-axis opset 13", 13, DataType.INT8, true),
                new Form("uint8 per-axis opset 19", 19, DataType.UINT8, true),
                new Form("int8 per-tensor opset 21", 21, DataType.INT8, false),
                new Form("int16 per-axis opset 21", 21, DataType.INT16, true));
    }

    /** Conv weights and bias drawn once per test, shared by the quantized model and its twin. */
    private record Weights(float[] w1, float[] b1, float[] w2, float[] b2) {
        static Weights draw(Random rnd) {
            return new Weights(uniform(rnd, 4 * 3 * 9, -0.6f, 0.6f), uniform(rnd, 4, -0.3f, 0.3f),
                    uniform(rnd, 2 * 4 * 9, -0.5f, 0.5f), uniform(rnd, 2, -0.2f, 0.2f));
        }
    }

    private static String conv(ModelBuilder b, String x, String name, long[] dims, float[] w, float[] bias) {
        String wt = b.initializer(name + "_W", dims, w);
        String bt = b.initializer(name + "_B", new long[] {dims[0]}, bias);
        return b.node("Conv", List.of(x, wt, bt), intsAttr("pads", 1, 1, 1, 1));
    }

    /** An integer constant of {@code type} (a Constant node, as exporters write zero points). */
    private static String integers(ModelBuilder b, String name, DataType type, long[] dims, long[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (type.byteSize()) {
                case 1 -> raw.put((byte) v);
                case 2 -> raw.putShort((short) v);
                default -> raw.putInt((int) v);
            }
        }
        return b.node("Constant", List.of(), tensorAttr("value", OnnxProtos.tensor(name, type, dims, raw.array())));
    }

    /** The scale and zero point of a form: scales near {@code unit}, zero points off the middle. */
    private static float[] scales(Form f, float unit) {
        return f.perAxis() ? new float[] {unit * 0.8f, unit, unit * 1.2f, unit * 0.9f} : new float[] {unit};
    }

    private static long[] zeroPoints(Form f) {
        long[] base = f.type() == DataType.UINT8 ? new long[] {128, 100, 160, 140} : new long[] {0, -20, 15, 5};
        return f.perAxis() ? base : new long[] {base[0]};
    }

    private static long[] range(DataType type) {
        return switch (type) {
            case INT8 -> new long[] {-128, 127};
            case INT16 -> new long[] {-32768, 32767};
            default -> new long[] {0, 255};
        };
    }

    /** x → Conv → QuantizeLinear → DequantizeLinear → Relu → Conv. */
    private static ModelBuilder quantized(Form f, Weights w, float unit) {
        ModelBuilder b = ModelBuilder.create(f.opset()).name("qdq");
        String x = b.input("x", INPUT);
        String c1 = conv(b, x, "conv1", new long[] {4, 3, 3, 3}, w.w1(), w.b1());
        float[] scale = scales(f, unit);
        long[] dims = f.perAxis() ? new long[] {4} : new long[0];
        List<String> params = new ArrayList<>(List.of(c1, b.initializer("scale", dims, scale)));
        if (f.type() != null) {
            params.add(integers(b, "zp", f.type(), dims, zeroPoints(f)));
        }
        io.dnnvis.onnx.proto.OnnxProto.AttributeProto[] axis = f.opset() >= 13
                ? new io.dnnvis.onnx.proto.OnnxProto.AttributeProto[] {intAttr("axis", 1)}
                : new io.dnnvis.onnx.proto.OnnxProto.AttributeProto[0];
        String q = b.node("QuantizeLinear", params, axis);
        List<String> dqInputs = new ArrayList<>(params);
        dqInputs.set(0, q);
        String dq = b.node("DequantizeLinear", dqInputs, axis);
        String target = conv(b, b.relu(dq), "conv2", new long[] {2, 4, 3, 3}, w.w2(), w.b2());
        b.output(target);
        return b;
    }

    /** x → Conv → ·mask → Conv: the pair and the Relu replaced by their masks. */
    private static OnnxModel twin(Form f, Weights w, float[] mask) {
        ModelBuilder b = ModelBuilder.create(f.opset()).name("twin");
        String x = b.input("x", INPUT);
        String c1 = conv(b, x, "conv1", new long[] {4, 3, 3, 3}, w.w1(), w.b1());
        String masked = b.mul(c1, b.initializer("mask", HIDDEN, mask));
        b.output(conv(b, masked, "conv2", new long[] {2, 4, 3, 3}, w.w2(), w.b2()));
        return b.load();
    }

    private static BackwardSpec saliNet(String target) {
        return new BackwardSpec(target, RuleSet.exact(), StartSignal.ONES, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forms")
    void thePairGoesBackStraightThroughInsideTheRangeAndNotOutside(Form f) {
        Random rnd = new Random(f.name().hashCode());
        Weights w = Weights.draw(rnd);
        float[] x0 = uniform(rnd, (int) count(INPUT), -1, 1);
        // a unit that leaves some of conv1's values outside the range
        float unit = f.type() == DataType.INT16 ? 2e-5f : 0.004f;
        OnnxModel model = quantized(f, w, unit).load();
        String target = model.graph().outputs().get(0).name();
        TensorValue input = new TensorValue("x", INPUT, x0);
        List<float[]> ws = List.of(uniform(rnd, (int) count(new long[] {1, 2, 6, 6}), -1, 1),
                uniform(rnd, (int) count(new long[] {1, 2, 6, 6}), -1, 1));
        float[] mask;
        List<float[]> got;
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            String c1Name = model.graph().nodes().get(0).output();
            String dqName = nodeOutput(model, "DequantizeLinear");
            io.dnnvis.trace.Trace forward = engine.tracer().trace(input, List.of(c1Name, dqName));
            float[] c1 = forward.get(c1Name).data();
            float[] dq = forward.get(dqName).data();
            mask = masks(f, unit, c1, dq);
            float[] positive = new float[dq.length];
            java.util.Arrays.fill(positive, 1f);
            float[] range = masks(f, unit, c1, positive);
            int outside = 0;
            for (float m : range) {
                outside += 1 - (int) m;
            }
            assertThat(outside).as("values outside the range").isBetween(10, range.length - 10);
            got = rows(engine.run(saliNet(target), input, ws).reconstruction(), 2);
        }
        int inside = 0;
        for (float m : mask) {
            inside += (int) m;
        }
        assertThat(inside).as("some values inside the range and above 0, some not").isBetween(10, mask.length - 10);
        try (BackwardEngine engine = BackwardEngine.open(twin(f, w, mask), EngineOptions.defaults())) {
            OnnxModel t = engine.model();
            List<float[]> want = rows(engine.run(saliNet(t.graph().outputs().get(0).name()), input, ws)
                    .reconstruction(), 2);
            for (int k = 0; k < 2; k++) {
                double bound = 1e-5 * maxAbs(want.get(k));
                assertThat(maxAbs(want.get(k))).isGreaterThan(0);
                for (int i = 0; i < want.get(k).length; i++) {
                    assertThat((double) Math.abs(got.get(k)[i] - want.get(k)[i]))
                            .as("%s, selection %d, element %d", f, k, i).isLessThanOrEqualTo(bound);
                }
            }
        }
    }

    /** 1 where conv1's value does not saturate its channel's quantization and the Relu passes, else 0. */
    private static float[] masks(Form f, float unit, float[] c1, float[] dq) {
        float[] scale = scales(f, unit);
        long[] zp = f.type() == null ? new long[scale.length] : zeroPoints(f);
        long[] q = range(f.type() == null ? DataType.UINT8 : f.type());
        int plane = (int) (HIDDEN[2] * HIDDEN[3]);
        float[] mask = new float[c1.length];
        for (int i = 0; i < c1.length; i++) {
            int k = scale.length == 1 ? 0 : i / plane;
            // not saturated: qmin <= round(x / scale) + zp <= qmax
            double steps = c1[i] / scale[k];
            mask[i] = steps >= q[0] - zp[k] - 0.5 && steps <= q[1] - zp[k] + 0.5 && dq[i] > 0 ? 1f : 0f;
        }
        return mask;
    }

    private static String nodeOutput(OnnxModel model, String opType) {
        return model.graph().nodes().stream().filter(n -> n.opType().equals(opType)).findFirst().orElseThrow()
                .output();
    }

    /**
     * A QDQ model as quantization tools write it: the input quantized, int8 weights with per-channel
     * scales dequantized into the Conv. Its backward is that of the float model with the
     * dequantized weights (the input's range holds every input value).
     */
    @Test
    void int8WeightsDequantizedIntoAConvGoBackAsTheirFloatValues() {
        Random rnd = new Random(7);
        long[] wq = new long[4 * 3 * 9];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = rnd.nextInt(255) - 127;
        }
        float[] wScale = {0.004f, 0.003f, 0.005f, 0.0035f};
        float[] dequantized = new float[wq.length];
        for (int i = 0; i < wq.length; i++) {
            dequantized[i] = wq[i] * wScale[i / 27];
        }
        float[] bias = uniform(rnd, 4, -0.2f, 0.2f);
        float[] w2 = uniform(rnd, 2 * 4 * 9, -0.5f, 0.5f);
        float[] b2 = uniform(rnd, 2, -0.1f, 0.1f);

        ModelBuilder b = ModelBuilder.create(13).name("qdq-weights");
        String x = b.input("x", INPUT);
        String xs = b.initializer("x_scale", new long[0], new float[] {1f / 127});
        String xzp = integers(b, "x_zp", DataType.INT8, new long[0], new long[] {0});
        String xq = b.node("DequantizeLinear", List.of(b.node("QuantizeLinear", List.of(x, xs, xzp)), xs, xzp));
        String weights = b.node("DequantizeLinear", List.of(
                integers(b, "w_q", DataType.INT8, new long[] {4, 3, 3, 3}, wq),
                b.initializer("w_scale", new long[] {4}, wScale),
                integers(b, "w_zp", DataType.INT8, new long[] {4}, new long[4])), intAttr("axis", 0));
        String c1 = b.node("Conv", List.of(xq, weights, b.initializer("conv1_B", new long[] {4}, bias)),
                intsAttr("pads", 1, 1, 1, 1));
        String relu = b.relu(c1);
        String target = conv(b, relu, "conv2", new long[] {2, 4, 3, 3}, w2, b2);
        b.output(target);
        OnnxModel model = b.load();

        float[] x0 = uniform(rnd, (int) count(INPUT), -0.99f, 0.99f);
        TensorValue input = new TensorValue("x", INPUT, x0);
        List<float[]> ws = List.of(uniform(rnd, 2 * 36, -1, 1));
        float[] got;
        float[] reluMask;
        try (BackwardEngine engine = BackwardEngine.open(model, EngineOptions.defaults())) {
            float[] c = engine.tracer().trace(input, List.of(c1)).get(c1).data();
            reluMask = new float[c.length];
            for (int i = 0; i < c.length; i++) {
                reluMask[i] = c[i] > 0 ? 1f : 0f;
            }
            got = engine.run(saliNet(target), input, ws).reconstruction().data();
        }
        ModelBuilder f = ModelBuilder.create(13).name("float-twin");
        String fx = f.input("x", INPUT);
        String fc = conv(f, fx, "conv1", new long[] {4, 3, 3, 3}, dequantized, bias);
        String masked = f.mul(fc, f.initializer("mask", HIDDEN, reluMask));
        String ft = f.output(conv(f, masked, "conv2", new long[] {2, 4, 3, 3}, w2, b2));
        try (BackwardEngine engine = BackwardEngine.open(f.load(), EngineOptions.defaults())) {
            float[] want = engine.run(saliNet(ft), input, ws).reconstruction().data();
            assertThat(maxAbs(want)).isGreaterThan(0);
            double bound = 1e-5 * maxAbs(want);
            for (int i = 0; i < want.length; i++) {
                assertThat((double) Math.abs(got[i] - want[i])).as("element %d", i).isLessThanOrEqualTo(bound);
            }
        }
    }

    /** A model quantized in operator form is refused in one line that points to QDQ models. */
    @Test
    void operatorFormQuantizationIsRefusedNamingTheOps() {
        ModelBuilder b = ModelBuilder.create(13).name("qoperator");
        String x = b.input("x", INPUT);
        String s = b.initializer("s", new long[0], new float[] {0.02f});
        String zp = integers(b, "zp", DataType.UINT8, new long[0], new long[] {128});
        String wzp = integers(b, "wzp", DataType.INT8, new long[0], new long[] {0});
        String q = b.node("QuantizeLinear", List.of(x, s, zp));
        long[] wq = new long[4 * 3 * 9];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = (i * 37) % 200 - 100;
        }
        String conv = b.node("QLinearConv", List.of(q, s, zp,
                integers(b, "w", DataType.INT8, new long[] {4, 3, 3, 3}, wq), s, wzp, s, zp));
        String target = b.node("DequantizeLinear", List.of(b.node("QLinearMatMul", List.of(conv, s, zp,
                integers(b, "m", DataType.UINT8, new long[] {4, 4}, new long[16]), s, zp, s, zp)), s, zp));
        b.output(target);
        try (BackwardEngine engine = BackwardEngine.open(b.load(), EngineOptions.defaults())) {
            assertThatThrownBy(() -> engine.compile(saliNet(target), INPUT))
                    .isInstanceOf(UnsupportedGraphException.class)
                    .hasMessageEndingWith(": the model is quantized in operator form (QLinearConv, QLinearMatMul);"
                            + " dnnvis works on QDQ-quantized models (QuantizeLinear/DequantizeLinear pairs)")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }
}
