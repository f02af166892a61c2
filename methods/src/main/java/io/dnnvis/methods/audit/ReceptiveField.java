package io.dnnvis.methods.audit;

import io.dnnvis.methods.core.AxisSources;
import io.dnnvis.methods.core.ImageAxes;
import io.dnnvis.methods.core.SpatialOps;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * The receptive field of a position of a layer, from the graph, for any CNN: the box of input
 * pixels that can change the layer's value there. It walks back from the layer's tensor to the
 * model input through every node on the way, keeping for each tensor the set of rows and the set of
 * columns that matter:
 * <ul>
 *   <li>Conv, MaxPool, AveragePool, LpPool (kernel k, stride s, pads p, dilation d): output row r
 *       reads input rows {@code r*s - p + j*d}, j = 0..k-1, those inside the input; ConvTranspose
 *       the other way round;</li>
 *   <li>elementwise and unary ops, BatchNormalization, LRN, Softmax over the channels, Concat of
 *       channels pass the sets on; an input broadcast along a spatial axis (size 1) gives its one
 *       row; several signal inputs (Add, Mul, Concat) add their sets up;</li>
 *   <li>Pad (any mode) and Slice (any steps), with constant pads and slices, map each output row to
 *       the input row it reads;</li>
 *   <li>Transpose moves the axes; any other op on the way (global pools, Flatten, Gemm, Reshape,
 *       Resize...) makes the field the whole input.</li>
 * </ul>
 * The box is that of the input's rows and columns reached, inclusive, so inside the image. With
 * contiguous kernels it is the rule {@code [a*s - p, b*s - p + (k-1)*d]} clipped at each tensor.
 * Immutable and thread-safe.
 */
public final class ReceptiveField {

    /** A box of input pixels, inclusive on both ends. */
    public record Box(int y0, int x0, int y1, int x1) implements java.io.Serializable {

        public int height() {
            return y1 - y0 + 1;
        }

        public int width() {
            return x1 - x0 + 1;
        }
    }

    private final Graph graph;
    private final long opset;
    private final Map<String, long[]> shapes;
    private final String input;
    private final int heightAxis;
    private final int widthAxis;
    private final Set<String> fromInput;

    /**
     * @param graph the model's graph (one input)
     * @param shapes the shape of every tensor (node outputs and the input) at the input's size
     * @param heightAxis the input's axis of image rows (2 for NCHW, 1 for NHWC)
     * @param widthAxis the input's axis of image columns
     */
    public ReceptiveField(OnnxModel model, Map<String, long[]> shapes, int heightAxis, int widthAxis) {
        this.graph = model.graph();
        this.opset = model.opset();
        this.shapes = Map.copyOf(shapes);
        this.input = graph.inputs().get(0).name();
        this.heightAxis = heightAxis;
        this.widthAxis = widthAxis;
        this.fromInput = dependents(graph, input);
    }

    /**
     * The axes of {@code tensor} that hold the image's rows and columns, {@code [row, col]}, or empty
     * where the graph loses them ({@link ImageAxes}).
     */
    public java.util.Optional<int[]> imageAxes(String tensor) {
        return ImageAxes.of(graph, shapes, input, heightAxis, widthAxis, tensor);
    }

    /** The image's size {@code [height, width]}. */
    public int[] imageSize() {
        long[] s = shape(input);
        return new int[] {(int) s[heightAxis], (int) s[widthAxis]};
    }

    /** The whole image. */
    public Box whole() {
        int[] size = imageSize();
        return new Box(0, 0, size[0] - 1, size[1] - 1);
    }

    /**
     * The box of input pixels position (y, x) of {@code tensor} (rank 4, {@code [1, C, h, w]}) depends
     * on; for any other rank, the whole image.
     */
    public Box at(String tensor, int y, int x) {
        long[] shape = shape(tensor);
        if (shape.length != 4) {
            return whole();
        }
        if (y < 0 || x < 0 || y >= shape[2] || x >= shape[3]) {
            throw new IllegalArgumentException("position (" + y + ", " + x + ") outside " + tensor + " "
                    + java.util.Arrays.toString(shape));
        }
        Map<String, Region> regions = new HashMap<>();
        regions.put(tensor, Region.point(shape, 2, 3, y, x));
        List<Node> nodes = graph.nodes();
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node node = nodes.get(k);
            List<Region> outs = new ArrayList<>();
            for (String out : node.outputs()) {
                Region r = regions.remove(out);
                if (r != null) {
                    outs.add(r);
                }
            }
            if (outs.isEmpty()) {
                continue;
            }
            if (outs.size() > 1 || !sendBack(node, outs.get(0), regions)) {
                return whole();
            }
        }
        Region atInput = regions.get(input);
        if (atInput == null || atInput.rowAxis != heightAxis || atInput.colAxis != widthAxis
                || atInput.rows.isEmpty() || atInput.cols.isEmpty()) {
            return whole();
        }
        return new Box(atInput.rows.nextSetBit(0), atInput.cols.nextSetBit(0), atInput.rows.length() - 1,
                atInput.cols.length() - 1);
    }

    /** Adds the regions of the node's signal inputs to {@code regions}; false when the field is the whole input. */
    private boolean sendBack(Node node, Region out, Map<String, Region> regions) {
        String op = node.opType();
        List<String> signals = node.inputs().stream().filter(fromInput::contains).toList();
        if (signals.isEmpty()) {
            return true;
        }
        if (SpatialOps.WINDOWED.contains(op) || op.equals("ConvTranspose")) {
            if (!signals.equals(List.of(node.inputs().get(0)))) {
                return false; // weights computed from the input: not a CNN layer we can follow
            }
            Region in = windowed(node, out, node.inputs().get(0));
            if (in == null) {
                return false;
            }
            merge(regions, node.inputs().get(0), in);
            return true;
        }
        if (op.equals("Pad") || op.equals("Slice")) {
            long[] inShape = shape(node.inputs().get(0));
            Optional<AxisSources> sources = signals.equals(List.of(node.inputs().get(0)))
                    ? AxisSources.of(graph, node, inShape) : Optional.empty();
            if (sources.isEmpty()) {
                return false; // pads or slices computed from the input, or a Pad mode we do not know
            }
            merge(regions, node.inputs().get(0), new Region(out.rowAxis, out.colAxis,
                    read(sources.get().along(out.rowAxis), out.rows, (int) inShape[out.rowAxis]),
                    read(sources.get().along(out.colAxis), out.cols, (int) inShape[out.colAxis])));
            return true;
        }
        if (op.equals("Transpose")) {
            long[] perm = node.intsAttribute("perm").orElse(null);
            if (perm == null) {
                return false;
            }
            merge(regions, signals.get(0), new Region((int) perm[out.rowAxis], (int) perm[out.colAxis], out.rows,
                    out.cols));
            return true;
        }
        if (op.equals("Softmax") || op.equals("LogSoftmax") || op.equals("Hardmax")) {
            merge(regions, signals.get(0), mixedAlongAxis(node, out));
            return true;
        }
        boolean channelwise = op.equals("LRN") || op.equals("Concat") && keepsImageAxes(node, out);
        if (!SpatialOps.POINTWISE.contains(op) && !channelwise) {
            return false;
        }
        long[] outShape = shape(node.output());
        for (String signal : signals) {
            Region in = broadcast(out, outShape, shape(signal));
            if (in == null) {
                return false;
            }
            merge(regions, signal, in);
        }
        return true;
    }

    /** The input positions (of {@code n}) that {@code positions} of a padded or sliced axis read. */
    private static BitSet read(IntUnaryOperator source, BitSet positions, int n) {
        BitSet in = new BitSet(n);
        for (int o = positions.nextSetBit(0); o >= 0; o = positions.nextSetBit(o + 1)) {
            int i = source.applyAsInt(o);
            if (i >= 0) {
                in.set(i);
            }
        }
        return in;
    }

    /** The region of an input of an elementwise op: right-aligned axes; an axis of size 1 gives its one row. */
    private static Region broadcast(Region out, long[] outShape, long[] inShape) {
        int shift = outShape.length - inShape.length;
        int rowAxis = out.rowAxis - shift;
        int colAxis = out.colAxis - shift;
        if (rowAxis < 0 || colAxis < 0) {
            return null;
        }
        BitSet rows = inShape[rowAxis] == outShape[out.rowAxis] ? out.rows : all((int) inShape[rowAxis]);
        BitSet cols = inShape[colAxis] == outShape[out.colAxis] ? out.cols : all((int) inShape[colAxis]);
        return new Region(rowAxis, colAxis, rows, cols);
    }

    private Region windowed(Node node, Region out, String in) {
        long[] inShape = shape(in);
        java.util.Optional<SpatialOps.Window> found = SpatialOps.window(graph, node, shapes);
        if (found.isEmpty() || out.rowAxis < 2 || out.colAxis < 2) {
            return null;
        }
        SpatialOps.Window w = found.get();
        BitSet[] sets = new BitSet[2];
        for (int axis = 2; axis < 4; axis++) {
            int i = axis - 2;
            BitSet wanted = axis == out.rowAxis ? out.rows : out.cols;
            sets[i] = w.transposed()
                    ? transposedRows(wanted, w.kernel()[i], w.strides()[i], w.pads()[i], w.dilations()[i],
                            (int) inShape[axis])
                    : windowRows(wanted, w.kernel()[i], w.strides()[i], w.pads()[i], w.dilations()[i],
                            (int) inShape[axis]);
        }
        return out.rowAxis == 2 ? new Region(2, 3, sets[0], sets[1]) : new Region(3, 2, sets[1], sets[0]);
    }

    /** Input rows {@code r*s - p + j*d} inside {@code [0, size)} of every wanted output row r. */
    static BitSet windowRows(BitSet wanted, long k, long s, long p, long d, int size) {
        BitSet rows = new BitSet(size);
        for (int r = wanted.nextSetBit(0); r >= 0; r = wanted.nextSetBit(r + 1)) {
            for (long j = 0; j < k; j++) {
                long row = r * s - p + j * d;
                if (row >= 0 && row < size) {
                    rows.set((int) row);
                }
            }
        }
        return rows;
    }

    /** ConvTranspose: input rows i with {@code i*s - p + j*d} a wanted output row for some j. */
    static BitSet transposedRows(BitSet wanted, long k, long s, long p, long d, int size) {
        BitSet rows = new BitSet(size);
        for (int i = 0; i < size; i++) {
            for (long j = 0; j < k; j++) {
                long o = i * s - p + j * d;
                if (o >= 0 && wanted.get((int) o)) {
                    rows.set(i);
                    break;
                }
            }
        }
        return rows;
    }

    private long[] shape(String tensor) {
        long[] s = shapes.get(tensor);
        if (s == null) {
            throw new IllegalArgumentException("no shape known for tensor '" + tensor + "'");
        }
        return s;
    }

    /** Whether a Concat joins along an axis other than the rows and columns of {@code out}. */
    private boolean keepsImageAxes(Node node, Region out) {
        int axis = normalAxis(node.intAttribute("axis", 0), shape(node.output()).length);
        return axis != out.rowAxis && axis != out.colAxis;
    }

    /**
     * What a Softmax (or LogSoftmax, Hardmax) reads for {@code out}: every row where it mixes the rows,
     * every column where it mixes the columns, else the same positions. It mixes along its axis from
     * opset 13 on, and before that along every axis from its axis on (default 1).
     */
    private Region mixedAlongAxis(Node node, Region out) {
        long[] shape = shape(node.output());
        boolean flattened = opset < 13;
        int axis = normalAxis(node.intAttribute("axis", flattened ? 1 : -1), shape.length);
        boolean rows = flattened ? out.rowAxis >= axis : out.rowAxis == axis;
        boolean cols = flattened ? out.colAxis >= axis : out.colAxis == axis;
        return new Region(out.rowAxis, out.colAxis, rows ? all((int) shape[out.rowAxis]) : out.rows,
                cols ? all((int) shape[out.colAxis]) : out.cols);
    }

    private static int normalAxis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /**
     * Adds {@code r} to what {@code tensor} is read at; a region without rows or columns reads nothing
     * (a pad's constant).
     */
    private static void merge(Map<String, Region> regions, String tensor, Region r) {
        if (!r.rows.isEmpty() && !r.cols.isEmpty()) {
            regions.merge(tensor, r, Region::union);
        }
    }

    private static BitSet all(int size) {
        BitSet b = new BitSet(size);
        b.set(0, size);
        return b;
    }

    /** Every tensor that depends on {@code input} (the input included). */
    private static Set<String> dependents(Graph graph, String input) {
        Set<String> reached = new HashSet<>();
        reached.add(input);
        for (Node n : graph.nodes()) {
            if (n.inputs().stream().anyMatch(reached::contains)) {
                n.outputs().stream().filter(o -> !o.isEmpty()).forEach(reached::add);
            }
        }
        return reached;
    }

    /** The rows (on axis {@code rowAxis}) and columns (on {@code colAxis}) of a tensor that matter. */
    private record Region(int rowAxis, int colAxis, BitSet rows, BitSet cols) {

        static Region point(long[] shape, int rowAxis, int colAxis, int y, int x) {
            BitSet rows = new BitSet((int) shape[rowAxis]);
            rows.set(y);
            BitSet cols = new BitSet((int) shape[colAxis]);
            cols.set(x);
            return new Region(rowAxis, colAxis, rows, cols);
        }

        Region union(Region other) {
            if (other.rowAxis != rowAxis || other.colAxis != colAxis) {
                // the same tensor reached with its rows and columns swapped (two Transposes): the set
                // on this region's row axis is the other's column set, and the other way round
                BitSet r = (BitSet) rows.clone();
                r.or(other.rowAxis == rowAxis ? other.rows : other.cols);
                BitSet c = (BitSet) cols.clone();
                c.or(other.colAxis == colAxis ? other.cols : other.rows);
                return new Region(rowAxis, colAxis, r, c);
            }
            BitSet r = (BitSet) rows.clone();
            r.or(other.rows);
            BitSet c = (BitSet) cols.clone();
            c.or(other.cols);
            return new Region(rowAxis, colAxis, r, c);
        }
    }
}
