package io.dnnvis.trace.backward;

import io.dnnvis.onnx.Attribute;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.Quoted;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.trace.UnsupportedGraphException;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The first phase of a compilation: the forward graph cut at the target, and on it the signal path,
 * the nodes through which the signal goes back from the target to the sources.
 *
 * @param forward the nodes the target depends on, in the model's order
 * @param signalNodes those of them that carry signal from a source, in the model's order
 * @param carrying the tensors that carry signal (the sources and the outputs of {@code signalNodes})
 * @param sources the tensors the signal is wanted at
 * @param constants initializers and Constant-node outputs: values known at compile time
 */
record ForwardCut(String imageInput, String target, List<Node> forward, List<Node> signalNodes, Set<String> carrying,
        List<String> sources, Map<String, Tensor> constants) {

    /** The lowest opset the emitted backward nodes are written for. */
    static final long MIN_OPSET = 9;

    /**
     * Cuts {@code model} at the spec's target.
     *
     * @throws UnsupportedGraphException for a model the backward nets cannot take, a target that does
     *     not depend on the sources, or a path with ops that have no rule (every one of them listed)
     */
    static ForwardCut of(OnnxModel model, BackwardSpec spec) {
        Graph graph = model.graph();
        if (graph.inputs().size() != 1) {
            throw new UnsupportedGraphException(model.path() + ": backward nets need a model with one input, this one has "
                    + graph.inputs().size());
        }
        if (model.opset() < MIN_OPSET) {
            throw new UnsupportedGraphException(model.path() + ": backward nets need opset " + MIN_OPSET
                    + " or newer, the model has " + model.opset()
                    + model.keptAtOpset().map(why -> " (kept there on loading: " + why + ")").orElse(""));
        }
        String imageInput = graph.inputs().get(0).name();
        String target = spec.targetTensor();
        Node targetNode = graph.producer(target).orElseThrow(() -> new UnsupportedGraphException(
                model.path() + ": target '" + Quoted.name(target) + "' is not produced by a node"));
        List<String> sources = spec.sources().isEmpty() ? List.of(imageInput) : spec.sources();
        List<Node> forward = ancestors(graph, targetNode);
        Set<String> known = new HashSet<>();
        known.add(imageInput);
        forward.forEach(n -> known.addAll(n.outputs()));
        for (String s : sources) {
            if (!known.contains(s) || s.equals(target)) {
                throw new UnsupportedGraphException(model.path() + ": '" + Quoted.name(s) + "' is not a tensor that target '"
                        + Quoted.name(target) + "' depends on");
            }
        }
        Set<String> carrying = new HashSet<>(sources);
        List<Node> signalNodes = new ArrayList<>();
        for (Node n : forward) {
            if (RuleSet.carriesSignal(n.opType()) && n.inputs().stream().anyMatch(carrying::contains)) {
                signalNodes.add(n);
                n.outputs().stream().filter(o -> !o.isEmpty()).forEach(carrying::add);
            }
        }
        if (!carrying.contains(target)) {
            throw new UnsupportedGraphException(model.path() + ": target '" + Quoted.name(target) + "' does not depend on "
                    + (spec.sources().isEmpty() ? "the input '" + Quoted.name(imageInput) + "'"
                            : "'" + String.join("', '", sources.stream().map(Quoted::name).toList()) + "'"));
        }
        List<String> missing = new ArrayList<>();
        List<String> missingOps = new ArrayList<>();
        for (Node n : signalNodes) {
            if (spec.rules().rule(n.opType()).isEmpty()) {
                missing.add(Quoted.name(n.opType()) + " " + n.describe().replaceFirst(" \\(.*\\)$", ""));
                missingOps.add(n.opType());
            }
        }
        QuantizedOperators.refusal(missingOps).ifPresent(why -> {
            throw new UnsupportedGraphException(model.path() + ": " + why);
        });
        if (!missing.isEmpty()) {
            throw new UnsupportedGraphException(model.path() + ": no backward rule for " + missing.size() + " node"
                    + (missing.size() == 1 ? "" : "s") + " on the path from '" + String.join("', '", sources.stream().map(Quoted::name).toList())
                    + "' to '" + Quoted.name(target) + "': " + String.join(", ", missing));
        }
        return new ForwardCut(imageInput, target, forward, signalNodes, carrying, sources, constants(graph, forward));
    }

    /** The nodes the target depends on, in topological order. */
    private static List<Node> ancestors(Graph graph, Node target) {
        return graph.nodesFeeding(target.output());
    }

    /** Initializers and Constant-node outputs: the tensors whose values are known at compile time. */
    private static Map<String, Tensor> constants(Graph graph, List<Node> forward) {
        Map<String, Tensor> out = new HashMap<>(graph.initializers());
        for (Node n : forward) {
            if (n.opType().equals("Constant")) {
                n.attribute("value").map(Attribute::asTensor).ifPresent(t -> out.put(n.output(), t));
            }
        }
        return out;
    }
}
