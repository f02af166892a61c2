package io.dnnvis.methods.core;

import io.dnnvis.onnx.ConstantValues;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.geometry.PadGeometry;
import io.dnnvis.onnx.geometry.SliceGeometry;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * Which input position each output position of a Pad or Slice node reads, axis by axis, from their
 * constant geometry ({@link PadGeometry}, {@link SliceGeometry}): what the audit's receptive fields
 * and occlusion's changed regions follow these nodes by.
 */
public final class AxisSources {

    private final IntFunction<IntUnaryOperator> byAxis;

    private AxisSources(IntFunction<IntUnaryOperator> byAxis) {
        this.byAxis = byAxis;
    }

    /**
     * The sources of a Pad or Slice node whose data input has {@code inShape}; empty for any other node,
     * or where its pads or slices are not constant (or a Pad mode is unknown).
     */
    public static Optional<AxisSources> of(Graph graph, Node node, long[] inShape) {
        return switch (node.opType()) {
            case "Pad" -> PadGeometry.of(node, inShape.length, ConstantValues.of(graph))
                    .map(pad -> new AxisSources(axis -> o -> pad.source(axis, o, (int) inShape[axis])));
            case "Slice" -> SliceGeometry.of(node, inShape.length, ConstantValues.of(graph))
                    .map(slice -> new AxisSources(axis -> {
                        int[] kept = slice.kept(axis, (int) inShape[axis]);
                        return o -> o < kept.length ? kept[o] : -1;
                    }));
            default -> Optional.empty();
        };
    }

    /** Along {@code axis}: the input position that output position {@code o} reads, -1 where none (a pad's constant). */
    public IntUnaryOperator along(int axis) {
        return byAxis.apply(axis);
    }
}
