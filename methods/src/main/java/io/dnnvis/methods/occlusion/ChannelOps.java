package io.dnnvis.methods.occlusion;

import io.dnnvis.onnx.ConstantValues;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ops that mix values along some axes only, computed position by position when neither the batch nor
 * the map's rows and columns are among those axes (ConvNeXt's blocks on channels-last maps):
 * LayerNormalization over its trailing axes, a reduction with {@code keepdims} over constant axes,
 * MatMul of the map by a constant matrix (on its last axis), Softmax and LogSoftmax (from opset 13 along
 * one axis; before that over every axis from {@code axis} on). Their first input is the map; their
 * other inputs are constants (LayerNormalization's scale and bias along its normalised axes).
 */
final class ChannelOps {

    /** The reductions, each over its {@code axes} (an attribute, or from opset 18 an input). */
    static final Set<String> REDUCTIONS = Set.of("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
            "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp");

    private ChannelOps() {
    }

    /** Whether {@code op} is one of these ops (whatever its axes). */
    static boolean isChannelOp(String op) {
        return REDUCTIONS.contains(op) || Set.of("LayerNormalization", "MatMul", "Softmax", "LogSoftmax").contains(op);
    }

    /**
     * Whether {@code node}, one of these ops, leaves the batch, {@code rowAxis} and {@code colAxis} of its
     * first input apart (each position of its output reads the same position of the input only), its
     * output keeping the input's rank.
     *
     * @param opset the model's default-domain opset
     * @param shapes the shapes of the node's inputs and output
     */
    static boolean positionwise(Graph graph, Node node, long opset, Map<String, long[]> shapes, int rowAxis,
            int colAxis) {
        long[] in = shapes.get(node.inputs().get(0));
        long[] out = shapes.get(node.output());
        if (in == null || out == null || in.length != out.length || rowAxis < 1 || colAxis < 1) {
            return false;
        }
        int rank = in.length;
        String op = node.opType();
        if (op.equals("LayerNormalization") || op.equals("Softmax") && opset < 13 || op.equals("LogSoftmax")
                && opset < 13) {
            int axis = axis(node.intAttribute("axis", op.equals("LayerNormalization") ? -1 : 1), rank);
            return axis > Math.max(rowAxis, colAxis) && node.outputs().size() == 1;
        }
        if (op.equals("Softmax") || op.equals("LogSoftmax")) {
            int axis = axis(node.intAttribute("axis", -1), rank);
            return axis > 0 && axis != rowAxis && axis != colAxis;
        }
        if (op.equals("MatMul")) {
            String b = node.inputs().get(1);
            long[] matrix = !PatchRule.isConstant(graph, b) ? null
                    : ConstantValues.of(graph).tensor(b).map(t -> t.dims()).orElseGet(() -> shapes.get(b));
            return rank >= 3 && matrix != null && matrix.length == 2 && rowAxis != rank - 1 && colAxis != rank - 1;
        }
        if (!REDUCTIONS.contains(op) || node.intAttribute("keepdims", 1) != 1) {
            return false;
        }
        Optional<long[]> axes = node.intsAttribute("axes");
        if (axes.isEmpty() && node.inputs().size() > 1 && !node.inputs().get(1).isEmpty()) {
            axes = ConstantValues.of(graph).longs(node.inputs().get(1));
        }
        if (axes.isEmpty() || axes.get().length == 0) {
            return false; // every axis, or none with noop_with_empty_axes
        }
        for (long a : axes.get()) {
            int k = axis(a, rank);
            if (k <= 0 || k >= rank || k == rowAxis || k == colAxis) {
                return false;
            }
        }
        return true;
    }

    private static int axis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }
}
