package io.dnnvis.trace.backward;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.trace.backward.BackwardTestSupport.count;
import static io.dnnvis.trace.backward.BackwardTestSupport.maxAbs;
import static io.dnnvis.trace.backward.BackwardTestSupport.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.LoadOptions;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.LayerTable;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Models stored in float16 (or bfloat16) run and are differentiated in float32: layers, forward
 * values and the backward equal those of the float32 twin with the same (half-precision) weights.
 */
class Float16ModelTest {

    private static final long[] INPUT = {1, 3, 10, 10};

    /** How the half-precision model is stored. */
    enum Storage {
        /** Everything in float16, inputs and outputs included (weights in raw_data). */
        FLOAT16_THROUGHOUT,
        /** float32 inputs and outputs cast to and from float16 (weights in int32_data). */
        FLOAT16_KEEP_IO_TYPES,
        /** Everything in bfloat16 but the float32 input, cast to bfloat16 by the model. */
        BFLOAT16_CAST_INPUT
    }

    /**
     * The float32 twin: Conv → BatchNormalization → Relu → MaxPool → Conv → Mul by a Constant →
     * GlobalAveragePool → Flatten → Gemm, with weights k / 1024 that the half type holds exactly
     * (|k| ≤ 1024 for float16, |k| ≤ 255 for bfloat16's 8 significant bits).
     */
    private static ModelProto twin(Random rnd, boolean bfloat) {
        int range = bfloat ? 255 : 1024;
        ModelBuilder b = ModelBuilder.create(13).name("half");
        String x = b.input("x", INPUT);
        String c1 = b.node("Conv", List.of(x, b.initializer("w1", new long[] {4, 3, 3, 3}, exact(rnd, 108, range)),
                b.initializer("b1", new long[] {4}, exact(rnd, 4, range))), intAttr("group", 1));
        String bn = b.node("BatchNormalization", List.of(c1, b.initializer("g", new long[] {4}, positive(rnd, 4, bfloat)),
                b.initializer("beta", new long[] {4}, exact(rnd, 4, range)),
                b.initializer("mean", new long[] {4}, exact(rnd, 4, range)),
                b.initializer("var", new long[] {4}, positive(rnd, 4, bfloat))));
        String pooled = b.maxPool(b.relu(bn), 2, 2, 0, false);
        String c2 = b.node("Conv", List.of(pooled, b.initializer("w2", new long[] {5, 4, 3, 3},
                exact(rnd, 180, range))));
        String scale = b.node("Constant", List.of(), io.dnnvis.onnx.build.OnnxProtos.tensorAttr("value",
                io.dnnvis.onnx.build.OnnxProtos.floatTensor("s", new long[] {1, 5, 1, 1}, exact(rnd, 5, range))));
        String flat = b.flatten(b.globalAvgPool(b.mul(c2, scale)), 1);
        String out = b.node("Gemm", List.of(flat, b.initializer("w3", new long[] {3, 5}, exact(rnd, 15, range)),
                b.initializer("b3", new long[] {3}, exact(rnd, 3, range))), intAttr("transB", 1));
        b.output(out);
        return b.build();
    }

    private static float[] exact(Random rnd, int n, int range) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (rnd.nextInt(2 * range + 1) - range) / 1024f;
        }
        return v;
    }

    /** In [1, 2), exact in the half type. */
    private static float[] positive(Random rnd, int n, boolean bfloat) {
        int steps = bfloat ? 128 : 1024;
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (steps + rnd.nextInt(steps)) / (float) steps;
        }
        return v;
    }

    /** The half-precision bits of a float that half precision holds exactly. */
    private static short half(float f, boolean bfloat) {
        int bits = Float.floatToIntBits(f);
        if (bfloat) {
            assertThat(bits & 0xffff).as("%s is exact in bfloat16", f).isZero();
            return (short) (bits >>> 16);
        }
        if (f == 0) {
            return (short) ((bits >>> 16) & 0x8000);
        }
        int exponent = Math.getExponent(f);
        assertThat(exponent).isBetween(-14, 15);
        assertThat(bits & 0x1fff).as("%s is exact in float16", f).isZero();
        return (short) (((bits >>> 16) & 0x8000) | ((exponent + 15) << 10) | ((bits >>> 13) & 0x3ff));
    }

    private static TensorProto toHalf(TensorProto t, Storage storage) {
        if (t.getDataType() != DataType.FLOAT.code()) {
            return t;
        }
        boolean bfloat = storage == Storage.BFLOAT16_CAST_INPUT;
        ByteBuffer in = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int n = in.remaining() / 4;
        TensorProto.Builder b = t.toBuilder().clearRawData()
                .setDataType(bfloat ? DataType.BFLOAT16.code() : DataType.FLOAT16.code());
        if (storage == Storage.FLOAT16_KEEP_IO_TYPES) {
            for (int k = 0; k < n; k++) {
                b.addInt32Data(half(in.getFloat(in.position() + 4 * k), false) & 0xffff);
            }
        } else {
            ByteBuffer out = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < n; k++) {
                out.putShort(half(in.getFloat(in.position() + 4 * k), bfloat));
            }
            b.setRawData(ByteString.copyFrom(out.array()));
        }
        return b.build();
    }

    private static ValueInfoProto typed(ValueInfoProto v, int type) {
        ValueInfoProto.Builder b = v.toBuilder();
        b.getTypeBuilder().getTensorTypeBuilder().setElemType(type);
        return b.build();
    }

    /** The twin stored in half precision as {@code storage} says. */
    private static ModelProto halfModel(ModelProto twin, Storage storage) {
        int half = storage == Storage.BFLOAT16_CAST_INPUT ? DataType.BFLOAT16.code() : DataType.FLOAT16.code();
        GraphProto.Builder g = twin.getGraph().toBuilder();
        for (int k = 0; k < g.getInitializerCount(); k++) {
            g.setInitializer(k, toHalf(g.getInitializer(k), storage));
        }
        for (int k = 0; k < g.getNodeCount(); k++) {
            NodeProto n = g.getNode(k);
            if (n.getOpType().equals("Constant")) {
                g.setNode(k, n.toBuilder().setAttribute(0, n.getAttribute(0).toBuilder()
                        .setT(toHalf(n.getAttribute(0).getT(), storage))).build());
            }
        }
        String input = g.getInput(0).getName();
        String output = g.getOutput(0).getName();
        if (storage == Storage.FLOAT16_THROUGHOUT) {
            g.setInput(0, typed(g.getInput(0), half));
            g.setOutput(0, typed(g.getOutput(0), half));
            return twin.toBuilder().setGraph(g).build();
        }
        // the model's own casts: float32 input to half, and (keep_io_types) the result back to float32
        for (int k = 0; k < g.getNodeCount(); k++) {
            NodeProto.Builder n = g.getNode(k).toBuilder();
            for (int i = 0; i < n.getInputCount(); i++) {
                if (n.getInput(i).equals(input)) {
                    n.setInput(i, "x_half");
                }
            }
            if (storage == Storage.FLOAT16_KEEP_IO_TYPES && n.getOutput(0).equals(output)) {
                n.setOutput(0, "y_half");
            }
            g.setNode(k, n);
        }
        g.addNode(0, NodeProto.newBuilder().setOpType("Cast").setName("to_half").addInput(input).addOutput("x_half")
                .addAttribute(intAttr("to", half)));
        if (storage == Storage.FLOAT16_KEEP_IO_TYPES) {
            g.addNode(NodeProto.newBuilder().setOpType("Cast").setName("to_float").addInput("y_half").addOutput(output)
                    .addAttribute(intAttr("to", DataType.FLOAT.code())));
        } else {
            g.setOutput(0, typed(g.getOutput(0), half));
        }
        return twin.toBuilder().setGraph(g).build();
    }

    @ParameterizedTest
    @EnumSource(Storage.class)
    void aHalfPrecisionModelWorksInFloat32LikeItsTwin(Storage storage) {
        Random rnd = new Random(storage.ordinal() + 3);
        ModelProto twinProto = twin(rnd, storage == Storage.BFLOAT16_CAST_INPUT);
        OnnxModel twin = OnnxModel.fromBytes(twinProto.toByteArray(), Path.of("twin.onnx"), LoadOptions.defaults());
        OnnxModel half = OnnxModel.fromBytes(halfModel(twinProto, storage).toByteArray(), Path.of("half.onnx"),
                LoadOptions.defaults());
        assertThat(half.graph().inputs().get(0).elemType()).contains(DataType.FLOAT);
        assertThat(half.graph().initializers().values()).allSatisfy(t -> assertThat(t.type()).isNotIn(
                DataType.FLOAT16, DataType.BFLOAT16));

        TensorValue input = new TensorValue("x", INPUT, uniform(rnd, (int) count(INPUT), -1, 1));
        String twinConv = twin.graph().nodes().stream().filter(n -> n.opType().equals("Conv")).skip(1)
                .findFirst().orElseThrow().output();
        String halfConv = half.graph().nodes().stream().filter(n -> n.opType().equals("Conv")).skip(1)
                .findFirst().orElseThrow().output();
        try (Tracer t = Tracer.open(twin); Tracer h = Tracer.open(half)) {
            // layers: the same table but for the model's own casts
            List<LayerTable.Row> twinRows = LayerTable.of(t, INPUT).rows();
            List<LayerTable.Row> halfRows = LayerTable.of(h, INPUT).rows().stream()
                    .filter(r -> !r.op().equals("Cast")).toList();
            assertThat(halfRows).hasSameSizeAs(twinRows);
            for (int k = 0; k < twinRows.size(); k++) {
                assertThat(halfRows.get(k).op()).isEqualTo(twinRows.get(k).op());
                assertThat(halfRows.get(k).shape()).containsExactly(twinRows.get(k).shape());
            }
            // forward
            String twinOut = twin.graph().outputs().get(0).name();
            String halfOut = half.graph().outputs().get(0).name();
            float[] want = t.trace(input, List.of(twinConv)).get(twinConv).data();
            assertThat(h.trace(input, List.of(halfConv)).get(halfConv).data()).containsExactly(want);
            assertThat(h.run(input).get(halfOut).data()).containsExactly(t.run(input).get(twinOut).data());
        }
        // backward from the second Conv, one neuron per channel
        long[] convShape = {1, 5, 2, 2};
        List<float[]> ws = List.of(uniform(rnd, (int) count(convShape), -1, 1), uniform(rnd, (int) count(convShape), -1, 1));
        try (BackwardEngine t = BackwardEngine.open(twin, EngineOptions.defaults());
                BackwardEngine h = BackwardEngine.open(half, EngineOptions.defaults())) {
            float[] want = t.run(new BackwardSpec(twinConv, RuleSet.exact(), StartSignal.ONES, false), input, ws)
                    .reconstruction().data();
            float[] got = h.run(new BackwardSpec(halfConv, RuleSet.exact(), StartSignal.ONES, false), input, ws)
                    .reconstruction().data();
            assertThat(maxAbs(want)).isGreaterThan(0);
            assertThat(got).hasSameSizeAs(want);
            for (int i = 0; i < want.length; i++) {
                assertThat((double) Math.abs(got[i] - want[i])).as("%s element %d", storage, i)
                        .isLessThanOrEqualTo(1e-5 * Math.max(Math.abs(want[i]), 1e-3 * maxAbs(want)));
            }
        }
    }
}
