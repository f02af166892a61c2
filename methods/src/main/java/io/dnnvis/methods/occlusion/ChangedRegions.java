package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.AxisSources;
import io.dnnvis.methods.core.SpatialOps;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntUnaryOperator;

/**
 * What an occluder changes, layer by layer, from the graph's geometry, for any CNN: for a box of
 * input pixels, the box of every tensor whose values can change (its projective field, the forward
 * counterpart of a receptive field), the ground of incremental occlusion (issue 22). Walks the graph
 * forward from the input:
 * <ul>
 *   <li>Conv, MaxPool, AveragePool, LpPool (kernel k, stride s, begin pad p, dilation d; explicit or
 *       SAME pads): input rows {@code [a, b]} change output rows
 *       {@code [ceil((a + p - (k-1) d) / s), floor((b + p) / s)]}, clipped; ConvTranspose
 *       {@code [a s - p, b s - p + (k-1) d]};</li>
 *   <li>elementwise and unary ops, BatchNormalization, LRN, Concat along the channels and the
 *       {@link ChannelOps} that leave the rows and columns apart (LayerNormalization, reductions with
 *       keepdims, MatMul by a constant matrix, Softmax) pass the box on, several changed inputs
 *       giving the union (an input broadcast along a spatial axis changes the whole axis);</li>
 *   <li>Pad and Slice (constant pads and slices) give the bounding box of the output positions that
 *       read the changed ones (an edge, reflect or wrap pad copies some of them);</li>
 *   <li>Transpose moves the axes (NHWC inputs); any other op (global pools, Flatten, Gemm, Reshape,
 *       Resize...) changes its whole output, and so everything after it.</li>
 * </ul>
 * Boxes are bounding boxes (with dilation a superset of the exact set): recomputing them is exact.
 * Immutable and thread-safe.
 */
public final class ChangedRegions {

    /**
     * The changed part of a tensor: rows {@code [y0, y1]} on {@code rowAxis} and columns
     * {@code [x0, x1]} on {@code colAxis}, inclusive, every other index; or all of it.
     */
    public record Region(int rowAxis, int colAxis, int y0, int x0, int y1, int x1, boolean whole) {

        static Region all() {
            return new Region(-1, -1, 0, 0, -1, -1, true);
        }

        Region union(Region o) {
            if (whole || o.whole || rowAxis != o.rowAxis || colAxis != o.colAxis) {
                return all();
            }
            return new Region(rowAxis, colAxis, Math.min(y0, o.y0), Math.min(x0, o.x0), Math.max(y1, o.y1),
                    Math.max(x1, o.x1), false);
        }

        /** Rows times columns changed, of {@code shape}'s plane (all of it when whole). */
        public long area(long[] shape) {
            if (whole) {
                return shape.length < 2 ? 1 : shape[shape.length - 2] * shape[shape.length - 1];
            }
            return (long) (y1 - y0 + 1) * (x1 - x0 + 1);
        }
    }

    private final Graph graph;
    /** The model's default-domain opset (Softmax's axis means something else before 13). */
    private final long opset;
    private final Map<String, long[]> shapes;
    private final String input;
    private final int heightAxis;
    private final int widthAxis;
    /** Krypton's projective-field threshold: 0 for the exact regions. */
    private final double tau;

    /**
     * @param opset the model's default-domain opset
     * @param shapes the shape of every tensor (node outputs and the input) at the input's size
     * @param heightAxis the input's axis of image rows (2 for NCHW, 1 for NHWC)
     * @param widthAxis the input's axis of image columns
     */
    public ChangedRegions(Graph graph, long opset, Map<String, long[]> shapes, int heightAxis, int widthAxis) {
        this(graph, opset, shapes, heightAxis, widthAxis, 0);
    }

    /**
     * Regions thinned by Krypton's projective-field threshold {@code tau} (issue 22's {@code --approx}):
     * a windowed op's output position stays in the region only where at least {@code tau} of its
     * kernel's taps, along each axis, read the input's region. The positions left out keep their
     * unoccluded values in an incremental run, which makes it approximate; {@code tau} 0 gives the
     * exact regions.
     */
    public ChangedRegions(Graph graph, long opset, Map<String, long[]> shapes, int heightAxis, int widthAxis,
            double tau) {
        this.tau = tau;
        this.graph = graph;
        this.opset = opset;
        this.shapes = Map.copyOf(shapes);
        this.input = graph.inputs().get(0).name();
        this.heightAxis = heightAxis;
        this.widthAxis = widthAxis;
    }

    /**
     * The changed region of every tensor that depends on the input, when the input pixels
     * {@code [y0, y1] x [x0, x1]} (inclusive) change; tensors absent from the map do not change.
     */
    public Map<String, Region> from(int y0, int x0, int y1, int x1) {
        Map<String, Region> regions = new HashMap<>();
        regions.put(input, new Region(heightAxis, widthAxis, y0, x0, y1, x1, false));
        for (Node node : graph.nodes()) {
            List<String> changed = node.inputs().stream().filter(regions::containsKey).toList();
            if (changed.isEmpty()) {
                continue;
            }
            Region out = forward(node, changed, regions);
            for (String o : node.outputs()) {
                if (!o.isEmpty()) {
                    regions.put(o, out);
                }
            }
        }
        return regions;
    }

    private Region forward(Node node, List<String> changed, Map<String, Region> regions) {
        String op = node.opType();
        if (node.outputs().size() != 1 && !op.equals("Dropout")) {
            return Region.all();
        }
        if (SpatialOps.WINDOWED.contains(op) || op.equals("ConvTranspose")) {
            if (!changed.equals(List.of(node.inputs().get(0)))) {
                return Region.all(); // weights that depend on the input: not a layer we can follow
            }
            return windowed(node, regions.get(node.inputs().get(0)));
        }
        if (op.equals("Pad") || op.equals("Slice")) {
            Region in = regions.get(changed.get(0));
            long[] inShape = shape(node.inputs().get(0));
            long[] outShape = shape(node.output());
            if (in.whole() || !changed.equals(List.of(node.inputs().get(0)))) {
                return Region.all(); // pads or slices computed from the image
            }
            Optional<AxisSources> sources = AxisSources.of(graph, node, inShape);
            if (sources.isEmpty()) {
                return Region.all();
            }
            int[] rows = reading(sources.get().along(in.rowAxis()), in.y0(), in.y1(), outShape[in.rowAxis()]);
            int[] cols = reading(sources.get().along(in.colAxis()), in.x0(), in.x1(), outShape[in.colAxis()]);
            return new Region(in.rowAxis(), in.colAxis(), rows[0], cols[0], rows[1], cols[1], false);
        }
        if (op.equals("Transpose")) {
            Region in = regions.get(changed.get(0));
            long[] perm = node.intsAttribute("perm").orElse(null);
            if (in.whole() || perm == null) {
                return Region.all();
            }
            int row = indexOf(perm, in.rowAxis());
            int col = indexOf(perm, in.colAxis());
            return row < 0 || col < 0 ? Region.all() : new Region(row, col, in.y0(), in.x0(), in.y1(), in.x1(), false);
        }
        long[] outShape = shape(node.output());
        Region first = regions.get(changed.get(0));
        boolean alongChannels = switch (op) {
            case "LRN" -> true;
            case "Concat" -> {
                int axis = normalAxis(node.intAttribute("axis", 0), outShape.length);
                yield !first.whole() && axis != first.rowAxis() && axis != first.colAxis();
            }
            default -> ChannelOps.isChannelOp(op) && !first.whole()
                    && changed.equals(List.of(node.inputs().get(0)))
                    && ChannelOps.positionwise(graph, node, opset, shapes, first.rowAxis(), first.colAxis());
        };
        if (!SpatialOps.POINTWISE.contains(op) && !alongChannels) {
            return Region.all();
        }
        Region out = null;
        for (String t : changed) {
            Region in = broadcast(regions.get(t), shape(t), outShape);
            out = out == null ? in : out.union(in);
        }
        return out;
    }

    /** An input's region in its output's axes (right-aligned); an axis broadcast from size 1 changes whole. */
    private static Region broadcast(Region in, long[] inShape, long[] outShape) {
        if (in.whole()) {
            return in;
        }
        int shift = outShape.length - inShape.length;
        int row = in.rowAxis() + shift;
        int col = in.colAxis() + shift;
        boolean rowsBroadcast = inShape[in.rowAxis()] != outShape[row];
        boolean colsBroadcast = inShape[in.colAxis()] != outShape[col];
        return new Region(row, col, rowsBroadcast ? 0 : in.y0(), colsBroadcast ? 0 : in.x0(),
                rowsBroadcast ? (int) outShape[row] - 1 : in.y1(), colsBroadcast ? (int) outShape[col] - 1 : in.x1(),
                false);
    }

    private Region windowed(Node node, Region in) {
        long[] outShape = shape(node.output());
        Optional<SpatialOps.Window> found = SpatialOps.window(graph, node, shapes);
        if (in.whole() || found.isEmpty() || in.rowAxis() != 2 || in.colAxis() != 3) {
            return Region.all();
        }
        SpatialOps.Window w = found.get();
        long[] rows = span(in.y0(), in.y1(), w.kernel()[0], w.strides()[0], w.pads()[0], w.dilations()[0],
                outShape[2], w.transposed());
        long[] cols = span(in.x0(), in.x1(), w.kernel()[1], w.strides()[1], w.pads()[1], w.dilations()[1],
                outShape[3], w.transposed());
        if (tau > 0 && !w.transposed()) {
            rows = thinned(rows, in.y0(), in.y1(), w.kernel()[0], w.strides()[0], w.pads()[0], w.dilations()[0]);
            cols = thinned(cols, in.x0(), in.x1(), w.kernel()[1], w.strides()[1], w.pads()[1], w.dilations()[1]);
        }
        return new Region(2, 3, (int) rows[0], (int) cols[0], (int) rows[1], (int) cols[1], false);
    }

    /**
     * The first and last of an axis's {@code size} output positions whose {@code source} lies in input
     * positions {@code [a, b]} (edge, reflect and wrap pads read them more than once); where none does
     * (a crop removed them), one position, which recomputes unchanged values and stays exact.
     */
    private static int[] reading(IntUnaryOperator source, int a, int b, long size) {
        int first = -1;
        int last = -1;
        for (int o = 0; o < size; o++) {
            int i = source.applyAsInt(o);
            if (i >= a && i <= b) {
                first = first < 0 ? o : first;
                last = o;
            }
        }
        return first < 0 ? new int[] {0, 0} : new int[] {first, last};
    }

    /** The output indices that read input indices {@code [a, b]}, clipped to {@code [0, size)}. */
    static long[] span(long a, long b, long k, long s, long p, long d, long size, boolean transposed) {
        long first;
        long last;
        if (transposed) {
            first = a * s - p;
            last = b * s - p + (k - 1) * d;
        } else {
            first = Math.floorDiv(a + p - (k - 1) * d + s - 1, s); // ceil
            last = Math.floorDiv(b + p, s);
        }
        return new long[] {Math.max(0, first), Math.min(size - 1, last)};
    }

    /**
     * The output indices of {@code span} at least {@link #tau} of whose k taps read input indices
     * {@code [a, b]} (the count rises then falls along the span, so they are an interval; empty as
     * {@code [first, first - 1]}).
     */
    private long[] thinned(long[] span, long a, long b, long k, long s, long p, long d) {
        long first = span[0];
        long last = span[1];
        while (first <= last && taps(first, a, b, k, s, p, d) < tau * k) {
            first++;
        }
        while (last >= first && taps(last, a, b, k, s, p, d) < tau * k) {
            last--;
        }
        return new long[] {first, last};
    }

    /** How many taps of output index {@code o} read input indices {@code [a, b]}. */
    private static long taps(long o, long a, long b, long k, long s, long p, long d) {
        long count = 0;
        for (long j = 0; j < k; j++) {
            long i = o * s - p + j * d;
            if (i >= a && i <= b) {
                count++;
            }
        }
        return count;
    }

    private long[] shape(String tensor) {
        long[] s = shapes.get(tensor);
        if (s == null) {
            throw new IllegalArgumentException("no shape known for tensor '" + tensor + "'");
        }
        return s;
    }

    private static int indexOf(long[] perm, int axis) {
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] == axis) {
                return i;
            }
        }
        return -1;
    }

    private static int normalAxis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }
}
