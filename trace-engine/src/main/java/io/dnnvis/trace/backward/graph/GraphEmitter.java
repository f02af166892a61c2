package io.dnnvis.trace.backward.graph;

import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Adds ONNX nodes and constants to a {@link BackwardGraph}, with fresh names that cannot collide
 * with the model's, and opset-aware helpers for the ops whose signature changed across opsets
 * (ReduceSum, ReduceMean, Slice, Unsqueeze, Clip...). Rules and passes emit through it.
 */
public final class GraphEmitter {

    /** Prefix of every name the compiler makes. */
    public static final String PREFIX = "dnnvis/";

    private final BackwardGraph graph;
    /** Where the next node goes (-1: at the end). */
    private int cursor;
    private String scope = "";

    GraphEmitter(BackwardGraph graph, int cursor) {
        this.graph = graph;
        this.cursor = cursor;
    }

    public long opset() {
        return graph.opset();
    }

    /** Names the nodes that follow after the forward node they belong to (readable graphs). */
    public GraphEmitter scope(String forwardNode) {
        this.scope = forwardNode;
        return this;
    }

    /** A fresh tensor name. */
    public String fresh(String hint) {
        return graph.fresh(PREFIX + hint);
    }

    /** Emits one node with one output and returns the output's name. */
    public String op(String opType, List<String> inputs, AttributeProto... attributes) {
        return ops(opType, inputs, 1, attributes).get(0);
    }

    /** Emits one node with {@code outputs} outputs. */
    public List<String> ops(String opType, List<String> inputs, int outputs, AttributeProto... attributes) {
        List<String> outs = new ArrayList<>(outputs);
        for (int k = 0; k < outputs; k++) {
            outs.add(fresh(opType.toLowerCase(Locale.ROOT)));
        }
        NodeProto.Builder n = NodeProto.newBuilder()
                .setOpType(opType)
                .setName(fresh("bwd" + (scope.isEmpty() ? "" : "[" + scope + "]") + "/" + opType))
                .addAllInput(inputs)
                .addAllOutput(outs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        cursor = graph.insert(cursor, n.build());
        return outs;
    }

    // ---- constants ------------------------------------------------------------------------

    public String constant(long[] dims, float[] values) {
        String name = fresh("const");
        graph.addConstant(OnnxProtos.floatTensor(name, dims, values));
        return name;
    }

    public String scalar(float value) {
        return constant(new long[0], new float[] {value});
    }

    public String longs(long... values) {
        String name = fresh("ints");
        graph.addConstant(OnnxProtos.longTensor(name, new long[] {values.length}, values));
        return name;
    }

    public String longTensor(long[] dims, long[] values) {
        String name = fresh("ints");
        graph.addConstant(OnnxProtos.longTensor(name, dims, values));
        return name;
    }

    // ---- elementwise ----------------------------------------------------------------------

    public String add(String a, String b) {
        return op("Add", List.of(a, b));
    }

    public String sub(String a, String b) {
        return op("Sub", List.of(a, b));
    }

    public String mul(String a, String b) {
        return op("Mul", List.of(a, b));
    }

    public String div(String a, String b) {
        return op("Div", List.of(a, b));
    }

    public String neg(String a) {
        return op("Neg", List.of(a));
    }

    public String relu(String a) {
        return op("Relu", List.of(a));
    }

    /** Sum of one or more tensors of broadcastable shapes. */
    public String sum(List<String> terms) {
        if (terms.size() == 1) {
            return terms.get(0);
        }
        return op("Sum", terms);
    }

    /** float32 1.0 where {@code condition} (bool) holds, else 0.0. */
    public String toFloat(String condition) {
        return op("Cast", List.of(condition), OnnxProtos.intAttr("to", DataType.FLOAT.code()));
    }

    public String cast(String x, DataType to) {
        return op("Cast", List.of(x), OnnxProtos.intAttr("to", to.code()));
    }

    /** 1.0 where {@code x > threshold}, else 0.0. */
    public String greaterMask(String x, float threshold) {
        return toFloat(op("Greater", List.of(x, scalar(threshold))));
    }

    // ---- shapes ---------------------------------------------------------------------------

    /** Reshape to a static shape ({@code -1} allowed once). */
    public String reshape(String x, long... shape) {
        return op("Reshape", List.of(x, longs(shape)));
    }

    /**
     * DepthToSpace (DCR) of {@code phases} and the crop of {@code layout}: the tensor the layout
     * describes, noted as an {@link Site.Interleave} (a pass may leave the interleave to the host).
     */
    public String interleave(String phases, PhaseLayout layout) {
        String canvas = op("DepthToSpace", List.of(phases), OnnxProtos.intAttr("blocksize", layout.stride()));
        String out = op("Slice", List.of(canvas, longs(layout.top(), layout.left()),
                longs(layout.top() + layout.rows(), layout.left() + layout.cols()), longs(2, 3)));
        graph.note(new Site.Interleave(out, phases, layout));
        return out;
    }

    /** Reshape a signal to {@code [B] ++ shape}. */
    public String reshapeSignal(String signal, long[] shape) {
        long[] full = new long[shape.length + 1];
        full[0] = -1;
        System.arraycopy(shape, 0, full, 1, shape.length);
        return reshape(signal, full);
    }

    /**
     * {@code t [N, B, ...]}, channel b of each image of a tensor shaped {@code shape [N, C, ...]},
     * as B signals {@code [B, N, 1, ...]}.
     */
    public String channelsFirst(String t, long[] shape) {
        long[] perm = new long[shape.length];
        for (int k = 0; k < perm.length; k++) {
            perm[k] = k;
        }
        perm[0] = 1;
        perm[1] = 0;
        long[] out = new long[shape.length + 1];
        out[0] = -1;
        out[1] = shape[0];
        out[2] = 1;
        System.arraycopy(shape, 2, out, 3, shape.length - 2);
        return reshape(transpose(t, perm), out);
    }

    public String transpose(String x, long... perm) {
        return op("Transpose", List.of(x), OnnxProtos.intsAttr("perm", perm));
    }

    /** Broadcasts {@code x} to {@code shape} (numpy rules, as ONNX Expand). */
    public String expand(String x, long... shape) {
        return op("Expand", List.of(x, longs(shape)));
    }

    public String matmul(String a, String b) {
        return op("MatMul", List.of(a, b));
    }

    /** ReduceSum over {@code axes}, keeping dims. */
    public String reduceSum(String x, long... axes) {
        if (opset() >= 13) {
            return op("ReduceSum", List.of(x, longs(axes)), OnnxProtos.intAttr("keepdims", 1));
        }
        return op("ReduceSum", List.of(x), OnnxProtos.intsAttr("axes", axes), OnnxProtos.intAttr("keepdims", 1));
    }

    /** ReduceMean over {@code axes}, keeping dims. */
    public String reduceMean(String x, long... axes) {
        if (opset() >= 18) {
            return op("ReduceMean", List.of(x, longs(axes)), OnnxProtos.intAttr("keepdims", 1));
        }
        return op("ReduceMean", List.of(x), OnnxProtos.intsAttr("axes", axes), OnnxProtos.intAttr("keepdims", 1));
    }

    /** Elements {@code [start, end)} along {@code axis}. */
    public String slice(String x, long axis, long start, long end) {
        if (opset() >= 10) {
            return op("Slice", List.of(x, longs(start), longs(end), longs(axis)));
        }
        return op("Slice", List.of(x), OnnxProtos.intsAttr("starts", start), OnnxProtos.intsAttr("ends", end),
                OnnxProtos.intsAttr("axes", axis));
    }

    public String concat(long axis, List<String> parts) {
        return op("Concat", parts, OnnxProtos.intAttr("axis", axis));
    }

    /** Zeros of shape {@code [B] ++ shape}, B taken from {@code batchSource}'s first dimension. */
    public String zerosLikeBatch(String batchSource, long[] shape) {
        String batch = op("Gather", List.of(op("Shape", List.of(batchSource)), longs(0)),
                OnnxProtos.intAttr("axis", 0));
        String full = concat(0, List.of(batch, longs(shape)));
        return op("Expand", List.of(scalar(0f), full));
    }

    /**
     * The sum over the leading batch of a signal reduced to a tensor of {@code target} shape:
     * sums the axes along which {@code target} was broadcast to {@code from} (both shapes without
     * the signal axis), then reshapes to {@code [B] ++ target}.
     */
    public String unbroadcast(String signal, long[] from, long[] target) {
        if (Arrays.equals(from, target)) {
            return signal;
        }
        int offset = from.length - target.length;
        List<Long> axes = new ArrayList<>();
        for (int k = 0; k < from.length; k++) {
            long t = k < offset ? 1 : target[k - offset];
            if (t == 1 && from[k] != 1) {
                axes.add((long) k + 1);
            }
        }
        String reduced = axes.isEmpty() ? signal : reduceSum(signal, axes.stream().mapToLong(Long::longValue).toArray());
        return reshapeSignal(reduced, target);
    }
}
