package io.dnnvis.trace;

import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code dnnvis layers} prints: the model's inputs and, for every node in file order, its
 * alias, name, op, first output tensor and that tensor's static shape; {@code ran} says whether the
 * shapes came from a run on zeros (true) or from shape inference without running (false).
 */
public record LayerTable(List<Input> inputs, List<Row> rows, boolean ran) {

    /** A graph input with the concrete shape used for the run. */
    public record Input(String name, long[] shape) {
    }

    /** One node; {@code alias} is empty for Constant nodes. */
    public record Row(String alias, String node, String op, String tensor, long[] shape) {
    }

    public LayerTable {
        inputs = List.copyOf(inputs);
        rows = List.copyOf(rows);
    }

    /**
     * Collects every node output's shape ({@link Tracer#shapes}: shape inference, else a run on zeros).
     *
     * @param firstInputShape shape of the first input, or null to use the declared shape with
     *     every dynamic dimension set to 1
     */
    public static LayerTable of(Tracer tracer, long[] firstInputShape) {
        Map<String, long[]> feeds = new LinkedHashMap<>();
        List<Input> inputs = new ArrayList<>();
        List<ValueInfo> declared = tracer.inputs();
        for (int k = 0; k < declared.size(); k++) {
            ValueInfo v = declared.get(k);
            long[] shape = k == 0 && firstInputShape != null ? firstInputShape.clone() : concreteShape(tracer, v);
            feeds.put(v.name(), shape);
            inputs.add(new Input(v.name(), shape));
        }
        Tracer.NodeShapes found = tracer.nodeShapes(feeds);
        Map<String, long[]> shapes = found.shapes();
        List<Row> rows = new ArrayList<>();
        List<Node> nodes = new ArrayList<>(tracer.model().graph().nodes());
        nodes.sort(Comparator.comparingInt(Node::fileIndex));
        for (Node n : nodes) {
            String tensor = n.output();
            long[] shape = shapes.getOrDefault(tensor, new long[0]);
            rows.add(new Row(n.alias(), n.name(), n.opType(), tensor, shape));
        }
        return new LayerTable(inputs, rows, found.ran());
    }

    private static long[] concreteShape(Tracer tracer, ValueInfo v) {
        return v.concreteShape(1).orElseThrow(() -> new BadInputException(tracer.model().path() + ": input '"
                + v.name() + "' declares no shape; give one with --input-shape"));
    }

    /** The declared shape of an input as text, e.g. {@code [N, 3, 224, 224]}. */
    public static String declared(List<Dim> dims) {
        return Arrays.toString(dims.toArray());
    }
}
