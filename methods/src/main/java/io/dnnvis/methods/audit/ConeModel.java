package io.dnnvis.methods.audit;

import static io.dnnvis.onnx.build.OnnxProtos.floatTensor;
import static io.dnnvis.onnx.build.OnnxProtos.longTensor;
import static io.dnnvis.onnx.build.OnnxProtos.tensorInfo;

import io.dnnvis.methods.core.SpatialOps;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.LoadOptions;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.trace.TensorValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A layer's one position computed on its cone only: the model's path from the image to the layer
 * rewritten to run on windows, each tensor's window the positions that the one position at the
 * layer reads (its cone), so that a signal started there and sent back touches nothing outside
 * them. A dataset audit's reconstruction starts at one position of a unit; on AlexNet's conv5 its
 * cone is 163x163 of the 224x224 image, 39x39 of conv1's 55x55 and 3x3 of conv4's 13x13: about
 * 315 million multiply-adds a row, forward and backward, against 640 million on the whole maps.
 *
 * <p>Each windowed op (Conv, MaxPool, and AveragePool unless its divisor counts only some positions:
 * ceil_mode, or count_include_pad=0 with pads) runs without its pads on a window that holds its
 * whole kernel reach, so its output window comes out exactly. The positions of a window that lie
 * outside the real map (near the border) are set to the op's pad value first: a Where on a mask
 * gives 0, or the lowest float for a max-pool (never a maximum); the mask comes from comparisons,
 * through which no signal goes back. The masks depend on the position, so they travel with the
 * input: the window of the image in channels {@code [0, C)}, and two more channels whose column k
 * (rows valid) and row k (columns valid) hold mask k, one per windowed op (and one per max-pool
 * output, set to 0 outside the map so that no op after it meets the lowest float). Pointwise ops
 * whose derivatives stay finite
 * ({@link #SAFE_POINTWISE}), BatchNormalization, LRN, Concat of channels and residual Adds take
 * windows as they are; a tensor read by several ops gets the union of their windows. Anything else
 * on the path (global pooling, Reshape, Resize, Transpose, an explicit Pad, a constant that varies
 * along the map, a square root...) and the model keeps its whole maps: {@link #of} is empty.
 *
 * <p>The values are the whole graph's: every position of a window that a valid output reads holds
 * what it holds in the whole graph, and the masked positions the op's padding; a backward net of
 * this model, started at the target's one position, sends back the whole graph's signal on the
 * cone (to float rounding: the arithmetic runs on other shapes).
 */
final class ConeModel {

    /**
     * The value a max-pool's padding takes instead of -infinity: finite (as the switch rule pads its
     * windows), below any activation.
     */
    static final float MAX_POOL_PAD = -Float.MAX_VALUE;

    /**
     * The pointwise ops ({@link SpatialOps#POINTWISE}) a window may go through: those whose values
     * and derivatives stay finite on finite inputs. The positions of a window outside the map hold
     * values no real position holds; they never reach a real output (the next windowed op masks
     * them), but a backward rule multiplies the zero signal there by its derivative, and 0 times
     * NaN (a square root of a negative value, a logarithm, a division by zero, an overflowing
     * exponential) would spread into the map. Div is taken with a constant divisor only.
     */
    static final Set<String> SAFE_POINTWISE = Set.of("Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu",
            "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Softplus", "Softsign", "Clip", "Gelu", "Mish", "Erf",
            "ThresholdedRelu", "BatchNormalization", "Identity", "Dropout", "Neg", "Abs", "Add", "Sub", "Mul", "Div",
            "Sum", "Mean", "Max", "Min", "QuantizeLinear", "DequantizeLinear");

    /** Ops whose 1-D parameters apply along their axis (1 by default: per channel) rather than broadcast. */
    private static final Set<String> QDQ = Set.of("QuantizeLinear", "DequantizeLinear");

    /** Name of the windowed model's one input. */
    static final String INPUT = "dnnvis_cone_input";

    /**
     * A window along one axis: it starts at {@code a * p + b} for the layer's position p and holds
     * {@code size} positions.
     */
    record Span(long a, long b, int size) {

        long origin(int p) {
            return a * p + b;
        }

        /** The smallest span holding both; null where they move differently with p. */
        Span union(Span o) {
            if (o.a != a) {
                return null;
            }
            long from = Math.min(b, o.b);
            long to = Math.max(b + size, o.b + o.size);
            return new Span(a, from, Math.toIntExact(to - from));
        }
    }

    /** A tensor's window: rows and columns. */
    record Window(Span rows, Span cols) {

        Window union(Window o) {
            Span r = rows.union(o.rows);
            Span c = cols.union(o.cols);
            return r == null || c == null ? null : new Window(r, c);
        }
    }

    /**
     * Mask k: which positions of {@code window} lie inside a map of {@code height x width}.
     */
    record Mask(Window window, long height, long width) {
    }

    private final OnnxModel model;
    private final String target;
    private final int channels;
    private final Window input;
    private final long imageHeight;
    private final long imageWidth;
    private final List<Mask> masks;

    private ConeModel(OnnxModel model, String target, int channels, Window input, long imageHeight, long imageWidth,
            List<Mask> masks) {
        this.model = model;
        this.target = target;
        this.channels = channels;
        this.input = input;
        this.imageHeight = imageHeight;
        this.imageWidth = imageWidth;
        this.masks = List.copyOf(masks);
    }

    /** The windowed model: input {@link #INPUT} {@code [N, C + 2, h, w]}, output the target {@code [N, K, 1, 1]}. */
    OnnxModel model() {
        return model;
    }

    /** The layer's tensor, the windowed model's output. */
    String target() {
        return target;
    }

    /** The image's channels (the input window has two more). */
    int channels() {
        return channels;
    }

    /** The image's window. */
    Window inputWindow() {
        return input;
    }

    /** Row {@code y} of the image where the window of position (y, x) starts. */
    int top(int y) {
        return Math.toIntExact(input.rows().origin(y));
    }

    /** Column where the window of position (y, x) starts. */
    int left(int x) {
        return Math.toIntExact(input.cols().origin(x));
    }

    /**
     * The windowed model's input for position (y, x) of each of the {@code ys.length} rows, row k's
     * image {@code images[k]} ({@code [1, C, H, W]}): each window of its image (zero outside), then
     * its masks.
     */
    TensorValue inputs(List<TensorValue> images, int[] ys, int[] xs) {
        int h = input.rows().size();
        int w = input.cols().size();
        int plane = h * w;
        int perRow = (channels + 2) * plane;
        float[] data = new float[Math.multiplyExact(perRow, ys.length)];
        for (int k = 0; k < ys.length; k++) {
            float[] image = images.get(k).data();
            int base = k * perRow;
            long top = input.rows().origin(ys[k]);
            long left = input.cols().origin(xs[k]);
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < h; i++) {
                    long row = top + i;
                    if (row < 0 || row >= imageHeight) {
                        continue;
                    }
                    long from = Math.max(0, -left);
                    long to = Math.min(w, imageWidth - left);
                    if (to > from) {
                        System.arraycopy(image, (int) ((c * imageHeight + row) * imageWidth + left + from), data,
                                (int) (base + c * plane + i * w + from), (int) (to - from));
                    }
                }
            }
            for (int m = 0; m < masks.size(); m++) {
                Mask mask = masks.get(m);
                long maskTop = mask.window().rows().origin(ys[k]);
                long maskLeft = mask.window().cols().origin(xs[k]);
                for (int i = 0; i < mask.window().rows().size(); i++) {
                    boolean inside = maskTop + i >= 0 && maskTop + i < mask.height();
                    data[base + channels * plane + i * w + m] = inside ? 1 : 0;
                }
                for (int j = 0; j < mask.window().cols().size(); j++) {
                    boolean inside = maskLeft + j >= 0 && maskLeft + j < mask.width();
                    data[base + (channels + 1) * plane + m * w + j] = inside ? 1 : 0;
                }
            }
        }
        return TensorValue.owning(INPUT, new long[] {ys.length, channels + 2, h, w}, data);
    }

    /**
     * The windowed form of {@code model}'s path from its image ({@code [1, C, H, W]}, NCHW) to
     * {@code target} ({@code [1, K, h, w]}); empty where an op on the path has no windowed form, the
     * image is not float32 (a float16 model's input), the model's opset is below 10 (Slice's inputs), or
     * the cone would cost about as much as the whole maps or more ({@link #MAX_SHARE}).
     *
     * @param shapes the shapes of the tensors the target depends on (batch 1)
     */
    static Optional<ConeModel> of(OnnxModel model, Map<String, long[]> shapes, String target) {
        return of(model, shapes, target, MAX_SHARE);
    }

    /** As {@link #of(OnnxModel, Map, String)}, with cones of a {@link #share} up to {@code maxShare}. */
    static Optional<ConeModel> of(OnnxModel model, Map<String, long[]> shapes, String target, double maxShare) {
        Graph graph = model.graph();
        String image = graph.inputs().get(0).name();
        long[] imageShape = shapes.get(image);
        long[] targetShape = shapes.get(target);
        boolean floats = graph.inputs().size() == 1 && graph.inputs().get(0).elemType()
                .map(t -> t == DataType.FLOAT).orElse(false);
        if (model.opset() < 10 || !floats || imageShape == null || imageShape.length != 4
                || targetShape == null || targetShape.length != 4 || target.equals(image)) {
            return Optional.empty();
        }
        List<Node> feeding = graph.nodesFeeding(target);
        Set<String> fromImage = new HashSet<>(Set.of(image));
        List<Node> path = new ArrayList<>();
        for (Node n : feeding) {
            if (n.inputs().stream().anyMatch(fromImage::contains)) {
                path.add(n);
                fromImage.addAll(n.outputs());
            }
        }
        Map<String, Window> windows = new HashMap<>();
        windows.put(target, new Window(new Span(1, 0, 1), new Span(1, 0, 1)));
        Map<Node, Map<Integer, Window>> wanted = new HashMap<>();
        for (int k = path.size() - 1; k >= 0; k--) {
            Node node = path.get(k);
            Window out = windows.get(node.output());
            if (out == null || node.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
                return Optional.empty();
            }
            Map<Integer, Window> reads = reads(graph, node, out, shapes, fromImage);
            if (reads == null) {
                return Optional.empty();
            }
            for (var e : reads.entrySet()) {
                String in = node.inputs().get(e.getKey());
                Window merged = windows.containsKey(in) ? windows.get(in).union(e.getValue()) : e.getValue();
                if (merged == null) {
                    return Optional.empty();
                }
                windows.put(in, merged);
            }
            wanted.put(node, reads);
        }
        Window inputWindow = windows.get(image);
        if (inputWindow == null || share(windows, shapes) > maxShare) {
            return Optional.empty();
        }
        return new Builder(model, shapes, image, imageShape, target, inputWindow, windows, wanted, feeding,
                fromImage).build();
    }

    /**
     * The values a cone holds, over all the path's maps, as a share of the whole maps' values: about
     * the share of the arithmetic a row costs on its cone rather than on the whole maps. Deep layers
     * see the whole image and more (ResNet-50's last stage: windows larger than the maps).
     */
    static double share(Map<String, Window> windows, Map<String, long[]> shapes) {
        double cone = 0;
        double whole = 0;
        for (var e : windows.entrySet()) {
            long[] shape = shapes.get(e.getKey());
            if (shape != null && shape.length == 4) {
                cone += (double) shape[1] * e.getValue().rows().size() * e.getValue().cols().size();
                whole += (double) shape[1] * shape[2] * shape[3];
            }
        }
        return whole == 0 ? Double.POSITIVE_INFINITY : cone / whole;
    }

    /**
     * The largest {@link #share} a cone is used at. A row on the whole maps shares its image's forward
     * pass with the image's other rows (8 at most), on its cone it computes its own: with forward and
     * backward passes of about equal cost, the cone costs less below a share of about (1 + 1/8) / 2.
     * AlexNet's conv5 has 0.36 (measured: 5 against 8.4 ms a row), VGG-16's conv13 0.65,
     * ResNet-50's relu40 0.94 and relu49 2.65 (its windows larger than the maps).
     */
    static final double MAX_SHARE = 0.5;

    /**
     * The windows a node reads of its inputs from the image (by input index) to give {@code out};
     * null where the node has no windowed form.
     */
    private static Map<Integer, Window> reads(Graph graph, Node node, Window out, Map<String, long[]> shapes,
            Set<String> fromImage) {
        String op = node.opType();
        List<String> inputs = node.inputs();
        Map<Integer, Window> reads = new LinkedHashMap<>();
        if (SpatialOps.WINDOWED.contains(op) && !op.equals("LpPool")) {
            for (int i = 1; i < inputs.size(); i++) {
                if (fromImage.contains(inputs.get(i))) {
                    return null; // weights computed from the image
                }
            }
            if (op.equals("AveragePool") && (node.intAttribute("ceil_mode", 0) != 0
                    || node.intAttribute("count_include_pad", 0) == 0 && padded(node))) {
                return null; // its divisor counts only some positions of a window at the border
            }
            Optional<SpatialOps.Window> found = SpatialOps.window(graph, node, shapes);
            if (found.isEmpty() || found.get().transposed()) {
                return null;
            }
            SpatialOps.Window w = found.get();
            reads.put(0, new Window(reach(out.rows(), w, 0), reach(out.cols(), w, 1)));
            return reads;
        }
        boolean channelwise = op.equals("LRN") || op.equals("Concat") && concatAxis(node, shapes) == 1;
        if (!SAFE_POINTWISE.contains(op) && !channelwise
                || op.equals("BatchNormalization") && node.intAttribute("training_mode", 0) != 0) {
            return null;
        }
        long[] outShape = shapes.get(node.output());
        if (outShape == null || outShape.length != 4) {
            return null;
        }
        boolean perChannel = op.equals("BatchNormalization")
                || QDQ.contains(op) && node.intAttribute("axis", 1) == 1;
        for (int i = 0; i < inputs.size(); i++) {
            String in = inputs.get(i);
            if (in.isEmpty()) {
                continue;
            }
            if (fromImage.contains(in)) {
                long[] shape = shapes.get(in);
                if (shape == null || shape.length != 4 || shape[2] != outShape[2] || shape[3] != outShape[3]
                        || op.equals("Div") && i == 1) {
                    return null; // broadcast from a smaller map (it reads more than the window), or a divisor
                }
                reads.put(i, out);
            } else if (!perChannel && alongTheMap(constantShape(graph, shapes, in))) {
                return null; // a constant that varies along the map: its window would depend on the position
            }
        }
        return reads;
    }

    /** A constant input's shape: computed, or the initializer's; null where unknown. */
    private static long[] constantShape(Graph graph, Map<String, long[]> shapes, String tensor) {
        long[] shape = shapes.get(tensor);
        if (shape == null && graph.isInitializer(tensor)) {
            shape = graph.initializers().get(tensor).dims();
        }
        return shape;
    }

    /**
     * Whether a constant of {@code shape}, broadcast against an NCHW map (right-aligned), varies
     * along its rows or columns; true for an unknown shape.
     */
    private static boolean alongTheMap(long[] shape) {
        if (shape == null) {
            return true;
        }
        int rank = shape.length;
        return rank >= 1 && shape[rank - 1] != 1 || rank >= 2 && shape[rank - 2] != 1;
    }

    private static boolean padded(Node node) {
        boolean pads = node.intsAttribute("pads").map(p -> java.util.Arrays.stream(p).anyMatch(v -> v != 0))
                .orElse(false);
        String autoPad = node.attribute("auto_pad").map(a -> a.asString()).orElse("NOTSET");
        return pads || autoPad.startsWith("SAME") || node.intAttribute("ceil_mode", 0) != 0;
    }

    private static long concatAxis(Node node, Map<String, long[]> shapes) {
        long axis = node.intAttribute("axis", 1);
        long[] shape = shapes.get(node.output());
        return axis < 0 && shape != null ? axis + shape.length : axis;
    }

    /** The input span that output span {@code out} reads along spatial axis {@code i} of window {@code w}. */
    private static Span reach(Span out, SpatialOps.Window w, int i) {
        long s = w.strides()[i];
        long extent = (w.kernel()[i] - 1) * w.dilations()[i] + 1;
        return new Span(s * out.a(), s * out.b() - w.pads()[i], Math.toIntExact((out.size() - 1) * s + extent));
    }

    /** Writes the windowed graph. */
    private static final class Builder {

        private final OnnxModel model;
        private final Map<String, long[]> shapes;
        private final String image;
        private final long[] imageShape;
        private final String target;
        private final Window inputWindow;
        private final Map<String, Window> windows;
        private final Map<Node, Map<Integer, Window>> wanted;
        private final List<Node> feeding;
        private final Set<String> fromImage;
        private final GraphProto.Builder g = GraphProto.newBuilder().setName("cone");
        private final List<Mask> masks = new ArrayList<>();
        private final List<NodeProto> maskNodes = new ArrayList<>();
        private int names;

        Builder(OnnxModel model, Map<String, long[]> shapes, String image, long[] imageShape, String target,
                Window inputWindow, Map<String, Window> windows, Map<Node, Map<Integer, Window>> wanted,
                List<Node> feeding, Set<String> fromImage) {
            this.model = model;
            this.shapes = shapes;
            this.image = image;
            this.imageShape = imageShape;
            this.target = target;
            this.inputWindow = inputWindow;
            this.windows = windows;
            this.wanted = wanted;
            this.feeding = feeding;
            this.fromImage = fromImage;
        }

        Optional<ConeModel> build() {
            ModelProto source = model.runtimeProto();
            GraphProto graph = source.getGraph();
            int channels = Math.toIntExact(imageShape[1]);
            List<NodeProto> body = new ArrayList<>();
            body.add(slice(INPUT, image, new long[] {0}, new long[] {channels}, new long[] {1}));
            Set<String> constants = new HashSet<>();
            for (Node node : feeding) {
                NodeProto original = graph.getNode(node.fileIndex());
                if (!wanted.containsKey(node)) {
                    body.add(original); // computes a constant
                    constants.addAll(node.inputs());
                    continue;
                }
                NodeProto.Builder copy = original.toBuilder().clearInput();
                boolean windowed = SpatialOps.WINDOWED.contains(node.opType());
                for (int i = 0; i < node.inputs().size(); i++) {
                    String in = node.inputs().get(i);
                    Window read = wanted.get(node).get(i);
                    if (read == null) {
                        copy.addInput(in);
                        constants.add(in);
                        continue;
                    }
                    String cropped = crop(in, read, body);
                    if (windowed) {
                        cropped = masked(cropped, read, node, body);
                    }
                    copy.addInput(cropped);
                }
                if (windowed) {
                    copy.clearAttribute();
                    for (AttributeProto a : original.getAttributeList()) {
                        if (!Set.of("pads", "auto_pad", "ceil_mode").contains(a.getName())) {
                            copy.addAttribute(a);
                        }
                    }
                }
                if (node.opType().equals("MaxPool")) {
                    // a window of only padding gives the lowest float outside the map: 0 there instead,
                    // so that the ops after it see moderate values (no overflow to infinity)
                    String pooled = fresh("pooled");
                    body.add(copy.setOutput(0, pooled).build());
                    body.add(node("Where", List.of(inside(windows.get(node.output()), shapes.get(node.output())),
                            pooled, constant(0f)), node.output()));
                    continue;
                }
                body.add(copy.build());
            }
            int h = inputWindow.rows().size();
            int w = inputWindow.cols().size();
            if (masks.size() > Math.min(h, w)) {
                return Optional.empty(); // no room for the masks in the input's two extra channels
            }
            g.addAllNode(maskNodes);
            g.addAllNode(body);
            for (TensorProto t : graph.getInitializerList()) {
                if (constants.contains(t.getName())) {
                    g.addInitializer(t);
                }
            }
            g.addInput(tensorInfo(INPUT, DataType.FLOAT, -1, channels + 2, h, w));
            g.addOutput(tensorInfo(target, DataType.FLOAT, -1, shapes.get(target)[1], 1, 1));
            ModelProto cone = source.toBuilder().clearMetadataProps().setGraph(g).build();
            OnnxModel windowed = OnnxModel.fromBytes(cone.toByteArray(),
                    Path.of(model.path() + " (cone of " + target + ")"), LoadOptions.defaults());
            return Optional.of(new ConeModel(windowed, target, channels, inputWindow, imageShape[2], imageShape[3],
                    masks));
        }

        /** {@code tensor} cut to {@code read} where its window is larger. */
        private String crop(String tensor, Window read, List<NodeProto> body) {
            Window has = windows.get(tensor);
            if (has.equals(read)) {
                return tensor;
            }
            long top = read.rows().b() - has.rows().b();
            long left = read.cols().b() - has.cols().b();
            String out = fresh("crop");
            body.add(slice(tensor, out, new long[] {top, left},
                    new long[] {top + read.rows().size(), left + read.cols().size()}, new long[] {2, 3}));
            return out;
        }

        /** {@code tensor} (window {@code read} of {@code node}'s input) with the node's pad value outside the map. */
        private String masked(String tensor, Window read, Node node, List<NodeProto> body) {
            String mask = inside(read, shapes.get(node.inputs().get(0)));
            String out = fresh("masked");
            float pad = node.opType().equals("MaxPool") ? MAX_POOL_PAD : 0f;
            body.add(node("Where", List.of(mask, tensor, constant(pad)), out));
            return out;
        }

        /**
         * A boolean {@code [N, 1, h, w]}: which positions of {@code window} lie inside a map of
         * {@code map}'s shape (mask k of the input's extra channels, k the next free one).
         */
        private String inside(Window window, long[] map) {
            int k = masks.size();
            masks.add(new Mask(window, map[2], map[3]));
            int channels = Math.toIntExact(imageShape[1]);
            String rows = fresh("mask_rows");
            String cols = fresh("mask_cols");
            maskNodes.add(slice(INPUT, rows, new long[] {channels, 0, k},
                    new long[] {channels + 1, window.rows().size(), k + 1}, new long[] {1, 2, 3}));
            maskNodes.add(slice(INPUT, cols, new long[] {channels + 1, k, 0},
                    new long[] {channels + 2, k + 1, window.cols().size()}, new long[] {1, 2, 3}));
            String half = constant(0.5f);
            String rowsIn = fresh("rows_inside");
            String colsIn = fresh("cols_inside");
            String mask = fresh("mask");
            maskNodes.add(node("Greater", List.of(rows, half), rowsIn));
            maskNodes.add(node("Greater", List.of(cols, half), colsIn));
            maskNodes.add(node("And", List.of(rowsIn, colsIn), mask)); // a comparison: no signal goes back through it
            return mask;
        }

        private String constant(float value) {
            String name = fresh("const");
            g.addInitializer(floatTensor(name, new long[0], new float[] {value}));
            return name;
        }

        private NodeProto slice(String in, String out, long[] starts, long[] ends, long[] axes) {
            String s = fresh("starts");
            String e = fresh("ends");
            String a = fresh("axes");
            g.addInitializer(longTensor(s, new long[] {starts.length}, starts));
            g.addInitializer(longTensor(e, new long[] {ends.length}, ends));
            g.addInitializer(longTensor(a, new long[] {axes.length}, axes));
            return node("Slice", List.of(in, s, e, a), out);
        }

        private NodeProto node(String op, List<String> inputs, String output) {
            return NodeProto.newBuilder().setOpType(op).setName(fresh(op)).addAllInput(inputs).addOutput(output)
                    .build();
        }

        private String fresh(String what) {
            return "dnnvis_cone_" + what + "_" + names++;
        }
    }
}
