package io.dnnvis.methods.core;

import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import java.util.Optional;

/**
 * Refuses targets whose gradient is zero everywhere: a sum of a Softmax output that covers whole
 * lines of its softmax axis with equal weight. Softmax values along the axis always sum to 1, so such
 * a score is constant (occlusion sees no change) and its gradient is float noise. Decided from the
 * graph (the op producing the target tensor and its axis), never from values.
 *
 * <p>LogSoftmax is not refused: the sum of its values along the axis, {@code sum(z) - K log sum(exp z)},
 * has the gradient {@code 1 - K softmax(z)}, which is not zero.
 */
final class SoftmaxSums {

    /** Ops that pass their input through unchanged: the softmax behind them counts. */
    private static final java.util.Set<String> SAME_VALUES = java.util.Set.of("Identity", "Dropout");

    private SoftmaxSums() {
    }

    static void refuseZeroGradient(OnnxModel model, TargetSelection selection) {
        Optional<Node> softmax = softmaxBehind(model, selection.tensor());
        if (softmax.isEmpty()) {
            return;
        }
        long[] shape = selection.shape();
        int axis = axis(softmax.get(), model.opset(), shape.length);
        if (axis < 0 || axis >= shape.length) {
            return; // an invalid axis: ONNX Runtime says so when it runs
        }
        if (constantAlongAxis(selection.mask(), shape, axis, model.opset() < 13)) {
            throw new BadRequestException("target " + selection.target() + " sums whole lines of Softmax output '"
                    + selection.tensor() + "' (node " + softmax.get().name() + ", axis " + axis + "), which always "
                    + "sum to 1: its gradient is zero everywhere; select one class or step, or target the "
                    + "Softmax's input '" + softmax.get().inputs().get(0) + "' (e.g. --layer with neuron:C)");
        }
    }

    static Optional<Node> softmaxBehind(OnnxModel model, String tensor) {
        Optional<Node> node = model.graph().producer(tensor);
        while (node.isPresent() && SAME_VALUES.contains(node.get().opType()) && node.get().domain().isEmpty()) {
            node = model.graph().producer(node.get().inputs().get(0));
        }
        return node.filter(n -> n.opType().equals("Softmax") && (n.domain().isEmpty() || n.domain().equals("ai.onnx")));
    }

    private static int axis(Node softmax, long opset, int rank) {
        long axis = softmax.intAttribute("axis", opset >= 13 ? -1 : 1);
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /**
     * Whether {@code mask} is the same along every line of {@code axis} (with {@code flattened}, as
     * Softmax before opset 13 computes it: over all axes from {@code axis} on) and not all zero.
     */
    static boolean constantAlongAxis(float[] mask, long[] shape, int axis, boolean flattened) {
        long inner = 1;
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        long length = flattened ? shape[axis] * inner : shape[axis];
        long stride = flattened ? 1 : inner;
        long lines = mask.length / length;
        boolean any = false;
        for (long line = 0; line < lines; line++) {
            long base = flattened ? line * length : (line / inner) * length * inner + line % inner;
            float first = mask[(int) base];
            for (long i = 1; i < length; i++) {
                if (mask[(int) (base + i * stride)] != first) {
                    return false;
                }
            }
            any |= first != 0f;
        }
        return any;
    }
}
