package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.SpatialOps;
import io.dnnvis.onnx.ConstantValues;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.geometry.PadGeometry;
import io.dnnvis.onnx.geometry.SliceGeometry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How one node is recomputed exactly on a patch of its output (issue 22): which box of each input
 * it reads, and the value that stands outside an input (its pad). A windowed op (Conv, MaxPool,
 * AveragePool, LpPool) reads the window of its output box with the halo of its kernel and runs with
 * pads 0 on that crop, the crop filled with the pad value where it leaves the input (0; -inf for
 * MaxPool), which is what the op's padding does; a Pad of the constant mode that adds rows and
 * columns, and a Slice that crops them, likewise as a window of one (the crop filled with the pad's
 * constant); pointwise ops, channel ops (LRN, BatchNormalization, a Slice of the channels,
 * Concat along the channels, the {@link ChannelOps} that leave the rows and columns apart, a Cast to
 * float) and windowed ops of one position (a 1x1 convolution of stride 1 without pads) read their
 * output's box; Transpose the box with its axes moved back.
 * Any other op, or one whose side inputs (weights, constants) vary over the rows and columns or do
 * not come from the file, has no rule: the graph is computed in full from there on.
 *
 * @param node the node
 * @param kind how it reads its inputs
 * @param window a windowed op's geometry (null otherwise)
 * @param pad the value outside an input
 * @param pathInputs the node's inputs that depend on the image
 * @param rowAxis the axis of the output's changed rows
 * @param colAxis the axis of its changed columns
 */
record PatchRule(Node node, Kind kind, SpatialOps.Window window, float pad, List<String> pathInputs, int rowAxis,
        int colAxis) {

    /**
     * WINDOWED: a kernel over a crop with its halo; SHIFT: a window of one (a Pad that adds rows and
     * columns, a Slice that crops them), run as Identity on the crop; POSITIONWISE: the output's box;
     * TRANSPOSE: the box with its axes moved back.
     */
    enum Kind { WINDOWED, SHIFT, POSITIONWISE, TRANSPOSE }

    /** Ops computed position by position (with channel-wide ops: each position reads every channel there). */
    static final Set<String> POSITIONWISE = Set.of("Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid",
            "HardSigmoid", "HardSwish", "Tanh", "Softplus", "Softsign", "Clip", "Gelu", "Mish", "Erf",
            "ThresholdedRelu", "BatchNormalization", "Identity", "Dropout", "Neg", "Abs", "Exp", "Log", "Sqrt",
            "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Add", "Sub", "Mul", "Div", "Pow", "Sum",
            "Mean", "Max", "Min", "LRN", "Concat", "Cast");

    /**
     * The rule of {@code node}, whose output changes on rows {@code rowAxis} and columns
     * {@code colAxis}; empty when it has none.
     *
     * @param opset the model's default-domain opset
     * @param path the tensors that depend on the image
     * @param shapes the shapes of the node's inputs and outputs
     */
    static Optional<PatchRule> of(Graph graph, Node node, long opset, Set<String> path, Map<String, long[]> shapes,
            int rowAxis, int colAxis) {
        String op = node.opType();
        long[] out = shapes.get(node.output());
        if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx") || out == null || out.length != 4) {
            return Optional.empty();
        }
        List<String> pathInputs = new ArrayList<>();
        for (String in : node.inputs()) {
            if (path.contains(in)) {
                if (!pathInputs.contains(in)) { // x * x, Concat(x, x): one input of the patch graph
                    pathInputs.add(in);
                }
            } else if (!in.isEmpty() && !isConstant(graph, in)) {
                return Optional.empty(); // e.g. weights computed from another input
            }
        }
        for (int k = 1; k < node.outputs().size(); k++) {
            if (!graph.consumers(node.outputs().get(k)).isEmpty()) {
                return Optional.empty(); // a Dropout mask read by another node
            }
        }
        if (pathInputs.isEmpty() || pathInputs.stream().anyMatch(t -> shapes.get(t) == null || shapes.get(t).length != 4)) {
            return Optional.empty();
        }
        if (SpatialOps.WINDOWED.contains(op)) {
            return windowed(graph, node, shapes, pathInputs, rowAxis, colAxis);
        }
        if (op.equals("Pad")) {
            return padded(graph, node, pathInputs, rowAxis, colAxis);
        }
        if (op.equals("Slice")) {
            return sliced(graph, node, shapes, pathInputs, rowAxis, colAxis);
        }
        if (op.equals("Transpose")) { // the batch stays first: it holds the windows
            return node.intsAttribute("perm").filter(p -> p.length == 4 && p[0] == 0).isPresent()
                    ? Optional.of(new PatchRule(node, Kind.TRANSPOSE, null, 0, pathInputs, rowAxis, colAxis)) : Optional.empty();
        }
        if (op.equals("Cast") && node.intAttribute("to", 0) != 1) {
            return Optional.empty(); // a Cast to float (tf2onnx writes them between float ops) is positionwise
        }
        if (ChannelOps.isChannelOp(op)) {
            return channelOp(graph, node, opset, shapes, pathInputs, rowAxis, colAxis);
        }
        if (!POSITIONWISE.contains(op)) {
            return Optional.empty();
        }
        if (op.equals("Concat")) {
            long axis = node.intAttribute("axis", 0);
            axis = axis < 0 ? axis + 4 : axis;
            if (axis == 0 || axis == rowAxis || axis == colAxis) {
                return Optional.empty();
            }
        }
        for (String in : node.inputs()) {
            if (in.isEmpty()) {
                continue;
            }
            long[] s = path.contains(in) ? shapes.get(in) : constantShape(graph, shapes, in);
            if (s == null || (path.contains(in) && !sameRowsAndColumns(s, out, rowAxis, colAxis))
                    || (!path.contains(in) && !op.equals("BatchNormalization") && !flatOver(s, rowAxis, colAxis))) {
                return Optional.empty();
            }
        }
        return Optional.of(new PatchRule(node, Kind.POSITIONWISE, null, 0, pathInputs, rowAxis, colAxis));
    }

    /**
     * A {@link ChannelOps} op that leaves the batch, rows and columns apart is positionwise; its other
     * inputs are constants (LayerNormalization's scale and bias the same on every row and column).
     */
    private static Optional<PatchRule> channelOp(Graph graph, Node node, long opset, Map<String, long[]> shapes,
            List<String> pathInputs, int rowAxis, int colAxis) {
        if (!pathInputs.equals(List.of(node.inputs().get(0)))
                || !sameRowsAndColumns(shapes.get(pathInputs.get(0)), shapes.get(node.output()), rowAxis, colAxis)
                || !ChannelOps.positionwise(graph, node, opset, shapes, rowAxis, colAxis)) {
            return Optional.empty();
        }
        if (node.opType().equals("LayerNormalization")) {
            for (String side : node.inputs().subList(1, node.inputs().size())) {
                long[] s = side.isEmpty() ? new long[0] : constantShape(graph, shapes, side);
                if (s == null || !flatOver(s, rowAxis, colAxis)) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(new PatchRule(node, Kind.POSITIONWISE, null, 0, pathInputs, rowAxis, colAxis));
    }

    private static Optional<PatchRule> windowed(Graph graph, Node node, Map<String, long[]> shapes,
            List<String> pathInputs, int rowAxis, int colAxis) {
        if (!pathInputs.equals(List.of(node.inputs().get(0))) || rowAxis != 2 || colAxis != 3) {
            return Optional.empty();
        }
        Optional<SpatialOps.Window> found = SpatialOps.window(graph, node, shapes);
        if (found.isEmpty() || found.get().transposed()) {
            return Optional.empty();
        }
        String op = node.opType();
        boolean padded = node.attribute("auto_pad").map(a -> a.asString()).orElse("NOTSET").startsWith("SAME")
                || node.intsAttribute("pads").map(p -> java.util.Arrays.stream(p).anyMatch(v -> v != 0)).orElse(false);
        if (op.equals("AveragePool") && (node.intAttribute("ceil_mode", 0) != 0
                || padded && node.intAttribute("count_include_pad", 0) == 0)) {
            return Optional.empty(); // the pads leave the average's count: no pad value does that
        }
        if (onePosition(found.get(), shapes.get(node.inputs().get(0)), shapes.get(node.output()))) {
            return Optional.of(new PatchRule(node, Kind.POSITIONWISE, null, 0, pathInputs, rowAxis, colAxis));
        }
        float pad = op.equals("MaxPool") ? Float.NEGATIVE_INFINITY : 0f;
        return Optional.of(new PatchRule(node, Kind.WINDOWED, found.get(), pad, pathInputs, rowAxis, colAxis));
    }

    /**
     * Whether a window reads only the position of its output: kernel 1, stride 1, no pads (the output as
     * large as the input), as a 1x1 convolution does. Such an op maps a box to the same box, so it chains
     * into a step as a positionwise op does.
     */
    private static boolean onePosition(SpatialOps.Window w, long[] in, long[] out) {
        for (int i = 0; i < 2; i++) {
            if (w.kernel()[i] != 1 || w.strides()[i] != 1 || w.pads()[i] != 0 || in[2 + i] != out[2 + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A Pad of the constant mode that only adds rows and columns (TensorFlow's explicit SAME padding,
     * ZeroPadding2D) is a window of one with the pads as its pads: a crop filled with the constant
     * where it leaves the input is the padded patch, and the step runs Identity on it.
     */
    private static Optional<PatchRule> padded(Graph graph, Node node, List<String> pathInputs, int rowAxis,
            int colAxis) {
        if (!pathInputs.equals(List.of(node.inputs().get(0))) || rowAxis != 2 || colAxis != 3) {
            return Optional.empty();
        }
        return PadGeometry.of(node, 4, ConstantValues.of(graph))
                .filter(p -> p.mode().equals("constant") && p.valueKnown() && p.addsOnlyTo(2, 3))
                .map(p -> shift(node, p.begin()[2], p.begin()[3], p.value(), pathInputs));
    }

    /**
     * A Slice that keeps every row and column in order is positionwise (it runs as it is on crops of
     * every channel, whatever it does to them); one that crops rows and columns in order (steps of
     * one), keeping every channel, is a window of one whose pads are minus its starts. A Slice that
     * reverses or strides the rows or columns has no rule.
     */
    private static Optional<PatchRule> sliced(Graph graph, Node node, Map<String, long[]> shapes,
            List<String> pathInputs, int rowAxis, int colAxis) {
        long[] in = shapes.get(node.inputs().get(0));
        long[] out = shapes.get(node.output());
        Optional<SliceGeometry> slice = SliceGeometry.of(node, 4, ConstantValues.of(graph));
        if (!pathInputs.equals(List.of(node.inputs().get(0))) || slice.isEmpty() || in[0] != out[0]) {
            return Optional.empty();
        }
        int[] rows = slice.get().kept(rowAxis, (int) in[rowAxis]);
        int[] cols = slice.get().kept(colAxis, (int) in[colAxis]);
        if (identity(rows, in[rowAxis]) && identity(cols, in[colAxis])) {
            return Optional.of(new PatchRule(node, Kind.POSITIONWISE, null, 0, pathInputs, rowAxis, colAxis));
        }
        if (rowAxis != 2 || colAxis != 3 || !identity(slice.get().kept(1, (int) in[1]), in[1])
                || !ascending(rows) || !ascending(cols)) {
            return Optional.empty(); // it also slices the channels, reverses or strides
        }
        return Optional.of(shift(node, -rows[0], -cols[0], 0f, pathInputs));
    }

    /** Whether a slice keeps every one of {@code size} positions, in order. */
    private static boolean identity(int[] kept, long size) {
        return kept.length == size && ascending(kept) && (kept.length == 0 || kept[0] == 0);
    }

    /** Whether {@code kept} is a run of consecutive positions, first to last (at least one). */
    private static boolean ascending(int[] kept) {
        for (int i = 1; i < kept.length; i++) {
            if (kept[i] != kept[i - 1] + 1) {
                return false;
            }
        }
        return kept.length > 0;
    }

    /**
     * A window of one on rows and columns, shifted by {@code top} and {@code left} pads, {@code fill}
     * beyond the input.
     */
    private static PatchRule shift(Node node, long top, long left, float fill, List<String> pathInputs) {
        return new PatchRule(node, Kind.SHIFT, new SpatialOps.Window(new long[] {1, 1}, new long[] {1, 1},
                new long[] {1, 1}, new long[] {top, left, 0, 0}, false), fill, pathInputs, 2, 3);
    }

    /** The box of an input of {@code inputShape} that the node's output box {@code out} reads. */
    PatchBox reads(PatchBox out, long[] inputShape) {
        int[] start = new int[4];
        int[] size = new int[4];
        size[0] = 1;
        switch (kind) {
            case WINDOWED, SHIFT -> {
                size[1] = (int) inputShape[1];
                for (int i = 0; i < 2; i++) {
                    int a = 2 + i;
                    long s = window.strides()[i];
                    long reach = (window.kernel()[i] - 1) * window.dilations()[i];
                    start[a] = Math.toIntExact(out.start()[a] * s - window.pads()[i]);
                    size[a] = Math.toIntExact((out.size()[a] - 1) * s + reach + 1);
                }
            }
            case TRANSPOSE -> { // every channel of the input (a positionwise op chained after may change them)
                long[] perm = node.intsAttribute("perm").orElseThrow();
                for (int a = 1; a < 4; a++) {
                    size[a] = (int) inputShape[a];
                }
                for (int a : new int[] {rowAxis, colAxis}) {
                    start[(int) perm[a]] = out.start()[a];
                    size[(int) perm[a]] = out.size()[a];
                }
            }
            case POSITIONWISE -> {
                for (int a = 1; a < 4; a++) {
                    boolean region = a == rowAxis || a == colAxis;
                    start[a] = region ? out.start()[a] : 0;
                    size[a] = region ? out.size()[a] : (int) inputShape[a];
                }
            }
        }
        return new PatchBox(start, size);
    }

    /** Whether a path input has the output's rows and columns (no broadcasting over them). */
    private static boolean sameRowsAndColumns(long[] in, long[] out, int rowAxis, int colAxis) {
        return in.length == 4 && in[rowAxis] == out[rowAxis] && in[colAxis] == out[colAxis] && in[0] == out[0];
    }

    /** Whether a constant, right-aligned against a rank-4 output, is the same on every row and column. */
    private static boolean flatOver(long[] s, int rowAxis, int colAxis) {
        for (int a : new int[] {rowAxis, colAxis}) {
            int k = a - (4 - s.length);
            if (k >= 0 && s[k] != 1) {
                return false;
            }
        }
        return s.length <= 4;
    }

    /** Ops that give other values at each run: never constants. */
    private static final Set<String> RANDOM = Set.of("RandomNormal", "RandomNormalLike", "RandomUniform",
            "RandomUniformLike", "Bernoulli", "Multinomial");

    /**
     * Whether a tensor is known without the image: an initializer, a Constant node's output, or computed
     * from such tensors alone (weights behind an Identity, as PyTorch's exporter writes shared ones, a
     * Transpose or a DequantizeLinear); the patch graphs copy the nodes that compute it.
     */
    static boolean isConstant(Graph graph, String tensor) {
        Deque<String> todo = new ArrayDeque<>(List.of(tensor));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (t.isEmpty() || graph.isInitializer(t) || !seen.add(t)) {
                continue;
            }
            Optional<Node> producer = graph.producer(t);
            if (producer.isEmpty() || RANDOM.contains(producer.get().opType())
                    || !producer.get().domain().isEmpty() && !producer.get().domain().equals("ai.onnx")) {
                return false; // a graph input (the first one met ends the walk), or values that change
            }
            producer.get().inputs().forEach(todo::push);
        }
        return true;
    }

    /** The shape of a constant: from the file, else the probed one; null when neither knows it. */
    private static long[] constantShape(Graph graph, Map<String, long[]> shapes, String tensor) {
        try {
            return ConstantValues.of(graph).tensor(tensor).map(t -> t.dims()).orElseGet(() -> shapes.get(tensor));
        } catch (RuntimeException e) { // a Constant whose value does not decode
            return null;
        }
    }
}
