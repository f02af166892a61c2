package io.dnnvis.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import org.junit.jupiter.api.Test;

/** The float16/bfloat16 → float32 widening of a graph on load. */
class Float16WideningTest {

    private static final int F16 = DataType.FLOAT16.code();
    private static final int F32 = DataType.FLOAT.code();

    private static TensorProto half(String name, int... bits) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(F16).addDims(bits.length);
        for (int b : bits) {
            t.addInt32Data(b);
        }
        return t.build();
    }

    @Test
    void castsTypesTensorsAndSubgraphsBecomeFloat32() {
        NodeProto cast = NodeProto.newBuilder().setOpType("Cast").addInput("x").addOutput("h")
                .addAttribute(OnnxProtos.intAttr("to", F16)).build();
        NodeProto castToInt = NodeProto.newBuilder().setOpType("Cast").addInput("x").addOutput("i")
                .addAttribute(OnnxProtos.intAttr("to", DataType.INT64.code())).build();
        NodeProto fill = NodeProto.newBuilder().setOpType("ConstantOfShape").addInput("shape").addOutput("c")
                .addAttribute(OnnxProtos.tensorAttr("value", half("v", 0x3C00))).build();
        NodeProto random = NodeProto.newBuilder().setOpType("RandomNormalLike").addInput("x").addOutput("r")
                .addAttribute(OnnxProtos.intAttr("dtype", DataType.BFLOAT16.code())).build();
        GraphProto body = GraphProto.newBuilder().addInitializer(half("inner", 0xC000)).build();
        NodeProto branch = NodeProto.newBuilder().setOpType("If").addInput("cond").addOutput("b")
                .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(body)).build();
        GraphProto g = GraphProto.newBuilder()
                .addInitializer(half("w", 0x3C00, 0xC000, 0x7BFF))
                .addInitializer(TensorProto.newBuilder().setName("bf").setDataType(DataType.BFLOAT16.code())
                        .addDims(2).setRawData(ByteString.copyFrom(new byte[] {(byte) 0x80, 0x3F, 0x40, (byte) 0xC0})))
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT16, 1, 3))
                .addOutput(OnnxProtos.tensorInfo("y", DataType.FLOAT16, 1, 3))
                .addValueInfo(OnnxProtos.tensorInfo("h", DataType.FLOAT16, 1, 3))
                .addNode(cast).addNode(castToInt).addNode(fill).addNode(random).addNode(branch).build();
        assertThat(Float16Widening.needed(g)).isTrue();

        GraphProto w = Float16Widening.widen(g);

        assertThat(Float16Widening.needed(w)).isFalse();
        assertThat(decoded(w.getInitializer(0))).containsExactly(1f, -2f, 65504f);
        assertThat(decoded(w.getInitializer(1))).containsExactly(1f, -3f);
        assertThat(w.getInput(0).getType().getTensorType().getElemType()).isEqualTo(F32);
        assertThat(w.getOutput(0).getType().getTensorType().getElemType()).isEqualTo(F32);
        assertThat(w.getValueInfo(0).getType().getTensorType().getElemType()).isEqualTo(F32);
        assertThat(w.getNode(0).getAttribute(0).getI()).isEqualTo(F32);
        assertThat(w.getNode(1).getAttribute(0).getI()).as("casts to other types stay").isEqualTo(DataType.INT64.code());
        assertThat(decoded(w.getNode(2).getAttribute(0).getT())).containsExactly(1f);
        assertThat(w.getNode(3).getAttribute(0).getI()).isEqualTo(F32);
        assertThat(decoded(w.getNode(4).getAttribute(0).getG().getInitializer(0))).containsExactly(-2f);
    }

    @Test
    void aFloat32GraphNeedsNoWidening() {
        GraphProto g = GraphProto.newBuilder()
                .addInitializer(OnnxProtos.floatTensor("w", new long[] {2}, new float[] {1, 2}))
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 3))
                .addNode(NodeProto.newBuilder().setOpType("Cast").addInput("x").addOutput("i")
                        .addAttribute(OnnxProtos.intAttr("to", DataType.INT64.code())))
                .build();
        assertThat(Float16Widening.needed(g)).isFalse();
    }

    private static float[] decoded(TensorProto t) {
        assertThat(t.getDataType()).isEqualTo(F32);
        java.nio.ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        for (int k = 0; k < v.length; k++) {
            v[k] = b.getFloat(b.position() + 4 * k);
        }
        return v;
    }
}
