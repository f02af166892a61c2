package io.dnnvis.onnx;

import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.TypeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;

/**
 * Models stored in float16 or bfloat16 are run and differentiated in float32: the graph is widened
 * on load. Half-precision initializers and tensor attributes (Constant values, ConstantOfShape's
 * value) become float32 with the same values, casts to a half type cast to float32, {@code dtype}
 * attributes naming a half type name float32, and the element types of graph inputs, outputs and
 * value infos follow (so the model takes float32 input). Subgraphs are widened the same way.
 */
final class Float16Widening {

    private static final Set<Integer> HALF = Set.of(DataType.FLOAT16.code(), DataType.BFLOAT16.code());
    private static final int FLOAT = DataType.FLOAT.code();

    private Float16Widening() {
    }

    /** Whether anything in the graph is half precision. */
    static boolean needed(GraphProto g) {
        return g.getInitializerList().stream().anyMatch(t -> HALF.contains(t.getDataType()))
                || hasHalf(g.getInputList()) || hasHalf(g.getOutputList()) || hasHalf(g.getValueInfoList())
                || g.getNodeList().stream().anyMatch(Float16Widening::needed);
    }

    private static boolean needed(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            if (isHalfType(n, a) || HALF.contains(a.getT().getDataType())
                    || a.getTensorsList().stream().anyMatch(t -> HALF.contains(t.getDataType()))
                    || a.hasG() && needed(a.getG()) || a.getGraphsList().stream().anyMatch(Float16Widening::needed)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasHalf(List<ValueInfoProto> infos) {
        return infos.stream().anyMatch(v -> HALF.contains(v.getType().getTensorType().getElemType()));
    }

    /** An INT attribute naming a half element type: Cast's {@code to}, or a {@code dtype}. */
    private static boolean isHalfType(NodeProto n, AttributeProto a) {
        boolean typeAttribute = a.getName().equals("dtype") || a.getName().equals("to") && n.getOpType().equals("Cast");
        return typeAttribute && a.getType() == AttributeProto.AttributeType.INT && HALF.contains((int) a.getI());
    }

    /** The graph with every half-precision tensor, type and cast in float32. */
    static GraphProto widen(GraphProto g) {
        GraphProto.Builder b = g.toBuilder();
        for (int k = 0; k < b.getInitializerCount(); k++) {
            b.setInitializer(k, widen(b.getInitializer(k)));
        }
        for (int k = 0; k < b.getInputCount(); k++) {
            b.setInput(k, widen(b.getInput(k)));
        }
        for (int k = 0; k < b.getOutputCount(); k++) {
            b.setOutput(k, widen(b.getOutput(k)));
        }
        for (int k = 0; k < b.getValueInfoCount(); k++) {
            b.setValueInfo(k, widen(b.getValueInfo(k)));
        }
        for (int k = 0; k < b.getNodeCount(); k++) {
            NodeProto n = b.getNode(k);
            if (needed(n)) {
                b.setNode(k, widen(n));
            }
        }
        return b.build();
    }

    private static NodeProto widen(NodeProto n) {
        NodeProto.Builder b = n.toBuilder();
        for (int k = 0; k < b.getAttributeCount(); k++) {
            AttributeProto a = b.getAttribute(k);
            AttributeProto.Builder w = a.toBuilder();
            if (isHalfType(n, a)) {
                w.setI(FLOAT);
            }
            if (a.hasT()) {
                w.setT(widen(a.getT()));
            }
            for (int t = 0; t < a.getTensorsCount(); t++) {
                w.setTensors(t, widen(a.getTensors(t)));
            }
            if (a.hasG()) {
                w.setG(widen(a.getG()));
            }
            for (int s = 0; s < a.getGraphsCount(); s++) {
                w.setGraphs(s, widen(a.getGraphs(s)));
            }
            b.setAttribute(k, w);
        }
        return b.build();
    }

    private static ValueInfoProto widen(ValueInfoProto v) {
        if (!HALF.contains(v.getType().getTensorType().getElemType())) {
            return v;
        }
        TypeProto.Builder type = v.getType().toBuilder();
        type.getTensorTypeBuilder().setElemType(FLOAT);
        return v.toBuilder().setType(type).build();
    }

    /** A half-precision tensor (raw_data or int32_data, inline) as float32 raw_data; others unchanged. */
    static TensorProto widen(TensorProto t) {
        if (!HALF.contains(t.getDataType())) {
            return t;
        }
        boolean bfloat = t.getDataType() == DataType.BFLOAT16.code();
        boolean raw = !t.getRawData().isEmpty();
        ByteBuffer in = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int n = raw ? in.remaining() / 2 : t.getInt32DataCount();
        ByteBuffer out = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < n; k++) {
            short bits = raw ? in.getShort(in.position() + 2 * k) : (short) t.getInt32Data(k);
            out.putFloat(bfloat ? Float.intBitsToFloat((bits & 0xffff) << 16) : HalfFloats.halfToFloat(bits));
        }
        return t.toBuilder().setDataType(FLOAT).clearInt32Data().setRawData(ByteString.copyFrom(out.array())).build();
    }
}
