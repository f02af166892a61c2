package io.dnnvis.cli;

import io.dnnvis.onnx.Attribute;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code layers} shows of a node beside its shape, as Netron's side panel does: its main
 * attributes and its parameter count (the elements of its weight inputs: initializers, or Constant
 * nodes' values as Paddle's exporter writes weights; scalars not counted). Convolutions and
 * pools show kernel, stride, pads, dilations and groups with ONNX's defaults filled in; other ops
 * show their attributes as they are, lists cut to {@value #MAX_LIST} values and strings to
 * {@value #MAX_STRING} characters, so a hostile file cannot make a row long.
 */
record NodeSummary(Map<String, Object> attributes, long params) {

    static final int MAX_LIST = 8;
    static final int MAX_STRING = 40;

    private static final Set<String> CONVOLUTIONS = Set.of("Conv", "ConvTranspose", "ConvInteger", "QLinearConv");
    private static final Set<String> POOLS = Set.of("MaxPool", "AveragePool", "LpPool");

    NodeSummary {
        attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    static NodeSummary of(Node node, Graph graph) {
        return new NodeSummary(attributes(node, graph), params(node, graph));
    }

    /** The summary as one short text: {@code kernel_shape=3x3 strides=1x1 pads=1,1,1,1 group=1}. */
    String text() {
        StringBuilder b = new StringBuilder();
        attributes.forEach((name, value) -> {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(name).append('=').append(value instanceof long[] v ? join(v, name) : value);
        });
        return b.toString();
    }

    private static String join(long[] values, String name) {
        String separator = name.equals("pads") ? "," : "x";
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < values.length; k++) {
            b.append(k == 0 ? "" : separator).append(values[k]);
        }
        return b.toString();
    }

    private static Map<String, Object> attributes(Node node, Graph graph) {
        boolean conv = CONVOLUTIONS.contains(node.opType());
        if (conv || POOLS.contains(node.opType())) {
            return windowAttributes(node, graph, conv);
        }
        Map<String, Object> out = new TreeMap<>();
        node.attributes().values().forEach(a -> out.put(a.name(), shortValue(a)));
        return out;
    }

    private static Map<String, Object> windowAttributes(Node node, Graph graph, boolean conv) {
        long[] kernel = node.intsAttribute("kernel_shape").orElseGet(() -> weightKernel(node, graph));
        int rank = kernel.length;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kernel_shape", capped(kernel));
        out.put("strides", capped(node.intsAttribute("strides").orElseGet(() -> filled(rank, 1))));
        String autoPad = node.attribute("auto_pad").map(Attribute::asString).orElse("NOTSET");
        if (!autoPad.equals("NOTSET")) {
            out.put("auto_pad", shortString(autoPad));
        } else {
            out.put("pads", capped(node.intsAttribute("pads").orElseGet(() -> filled(2 * rank, 0))));
        }
        if (conv || node.attribute("dilations").isPresent()) {
            out.put("dilations", capped(node.intsAttribute("dilations").orElseGet(() -> filled(rank, 1))));
        }
        if (conv) {
            out.put("group", node.intAttribute("group", 1));
        }
        for (String extra : new String[] {"ceil_mode", "count_include_pad", "p", "output_padding"}) {
            node.attribute(extra).ifPresent(a -> out.put(a.name(), shortValue(a)));
        }
        return out;
    }

    /** A convolution without kernel_shape: the weight's trailing dims. */
    private static long[] weightKernel(Node node, Graph graph) {
        int weightInput = node.opType().equals("QLinearConv") ? 3 : 1;
        if (node.inputs().size() > weightInput) {
            Tensor w = weight(node.inputs().get(weightInput), graph);
            if (w != null && w.dims().length > 2) {
                return Arrays.copyOfRange(w.dims(), 2, w.dims().length);
            }
        }
        return new long[0];
    }

    private static long params(Node node, Graph graph) {
        if (WEIGHT_STEPS.contains(node.opType())) {
            return 0; // a weight's Cast, DequantizeLinear or Identity: the layer using it counts the weight
        }
        long total = 0;
        for (String input : new java.util.LinkedHashSet<>(node.inputs())) {
            Tensor t = floatWeight(input, graph);
            if (t != null && t.dims().length > 0) { // not axes, shapes, pads
                total += t.elementCount();
            }
        }
        return total;
    }

    /** Ops that hand a weight on with its dims kept: a float16 or int8 weight's Cast or DequantizeLinear, an Identity. */
    private static final java.util.Set<String> WEIGHT_STEPS = java.util.Set.of("Cast", "DequantizeLinear", "Identity");

    /** How many {@link #WEIGHT_STEPS} are followed back from a layer to its weight. */
    private static final int MAX_WEIGHT_STEPS = 8;

    /**
     * The weight {@code input} reads as floats: a float initializer or Constant, or one through a few
     * {@link #WEIGHT_STEPS} that make it float (a Cast to a float type, a DequantizeLinear); null for
     * anything else (shapes, axes, pads, activations).
     */
    private static Tensor floatWeight(String input, Graph graph) {
        String t = input;
        boolean madeFloat = false;
        for (int step = 0; step <= MAX_WEIGHT_STEPS && !t.isEmpty(); step++) {
            Tensor w = weight(t, graph);
            if (w != null) {
                return madeFloat || w.type().isFloatingPoint() ? w : null;
            }
            java.util.Optional<Node> p = graph.producer(t);
            if (p.isEmpty() || !WEIGHT_STEPS.contains(p.get().opType()) || p.get().inputs().isEmpty()) {
                return null;
            }
            if (!p.get().opType().equals("Identity") && !madeFloat) { // the step nearest the layer decides the type
                madeFloat = p.get().opType().equals("DequantizeLinear") || DataType.fromCode(
                        (int) p.get().intAttribute("to", 0)).map(DataType::isFloatingPoint).orElse(false);
                if (!madeFloat) {
                    return null; // a Cast to an integer type: a shape, not a weight
                }
            }
            t = p.get().inputs().get(0);
        }
        return null;
    }

    /** The tensor an input reads when it is a weight: an initializer or a Constant node's value (Paddle). */
    private static Tensor weight(String input, Graph graph) {
        Tensor t = graph.initializers().get(input);
        if (t != null || input.isEmpty()) {
            return t;
        }
        return graph.producer(input).filter(p -> p.opType().equals("Constant"))
                .flatMap(p -> p.attribute("value"))
                .filter(a -> a.kind() == Attribute.Kind.TENSOR)
                .map(Attribute::asTensor)
                .orElse(null);
    }

    private static Object shortValue(Attribute a) {
        return switch (a.kind()) {
            case INT -> a.asInt();
            case FLOAT -> a.asFloat();
            case STRING -> shortString(a.asString());
            case INTS -> capped(a.asInts());
            case FLOATS -> shortString(Arrays.toString(Arrays.copyOf(a.asFloats(), Math.min(a.asFloats().length, MAX_LIST))));
            case STRINGS -> shortString(String.join(",", a.asStrings().subList(0, Math.min(a.asStrings().size(), MAX_LIST))));
            case TENSOR -> "tensor" + Arrays.toString(a.asTensor().dims());
        };
    }

    private static long[] capped(long[] values) {
        return values.length <= MAX_LIST ? values : Arrays.copyOf(values, MAX_LIST);
    }

    private static String shortString(String s) {
        return io.dnnvis.onnx.Quoted.cut(s, MAX_STRING);
    }

    private static long[] filled(int n, long value) {
        long[] out = new long[n];
        Arrays.fill(out, value);
        return out;
    }
}
