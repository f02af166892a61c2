package io.dnnvis.methods.core;

import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a tensor holds the image's rows and columns, followed from the model input through the
 * graph: windowed ops (Conv, pools) keep axes 2 and 3, Transpose permutes them, ops that keep their
 * input's rank keep them (MatMul only where neither is its last, contracted axis), and ops that
 * reshape lose them. A layer with its channels last (ConvNeXt's Linear layers between two
 * Transposes) gives {@code [1, 2]}: its axis 1 is not its channels, which the audit and
 * {@code --neuron} count on.
 */
public final class ImageAxes {

    /** Ops that move, merge or split axes: after them nothing is known of where the image's rows are. */
    private static final Set<String> RESHAPING = Set.of("Reshape", "Flatten", "Squeeze", "Unsqueeze", "Einsum",
            "DepthToSpace", "SpaceToDepth", "Gather", "GatherElements", "GatherND", "Tile", "Expand", "Shape");

    private ImageAxes() {
    }

    /**
     * The axes {@code [row, col]} of {@code tensor}, or empty where they are lost or the tensor is not
     * of rank 4.
     *
     * @param shapes the shapes of the graph's tensors at the input's size
     * @param input the model input's name, whose rows and columns are on {@code heightAxis} and {@code widthAxis}
     */
    public static Optional<int[]> of(Graph graph, Map<String, long[]> shapes, String input, int heightAxis,
            int widthAxis, String tensor) {
        return Optional.ofNullable(all(graph, shapes, input, heightAxis, widthAxis).get(tensor));
    }

    /** The axes {@code [row, col]} of every tensor of rank 4 where the graph keeps them (one pass over it). */
    public static Map<String, int[]> all(Graph graph, Map<String, long[]> shapes, String input, int heightAxis,
            int widthAxis) {
        Map<String, int[]> axes = new HashMap<>();
        axes.put(input, new int[] {heightAxis, widthAxis});
        for (Node node : graph.nodes()) {
            int[] in = null;
            boolean agree = true;
            for (String i : node.inputs()) {
                int[] a = axes.get(i);
                if (a != null) {
                    agree &= in == null || Arrays.equals(in, a);
                    in = a;
                }
            }
            long[] outShape = shapes.get(node.output());
            if (in == null || !agree || outShape == null || outShape.length != 4) {
                continue;
            }
            String op = node.opType();
            int[] out = null;
            if (op.equals("Transpose")) {
                long[] perm = node.intsAttribute("perm").orElse(new long[] {3, 2, 1, 0});
                out = new int[] {indexOf(perm, in[0]), indexOf(perm, in[1])};
            } else if (SpatialOps.WINDOWED.contains(op) || op.equals("ConvTranspose")) {
                out = in[0] == 2 && in[1] == 3 ? in : null;
            } else if (op.equals("MatMul")) {
                out = in[0] != 3 && in[1] != 3 ? in : null;
            } else if (!RESHAPING.contains(op)) {
                out = in;
            }
            if (out != null && out[0] >= 0 && out[1] >= 0) {
                axes.put(node.output(), out);
            }
        }
        return axes;
    }

    private static int indexOf(long[] perm, int axis) {
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] == axis) {
                return i;
            }
        }
        return -1;
    }
}
