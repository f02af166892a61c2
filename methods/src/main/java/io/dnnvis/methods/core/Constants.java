package io.dnnvis.methods.core;

import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.Tensor;
import java.util.Optional;

/** The values of tensors that the file holds: initializers and the outputs of Constant nodes. */
public final class Constants {

    private Constants() {
    }

    /** The tensor {@code name} when an initializer or a Constant node's {@code value} holds it. */
    public static Optional<Tensor> tensor(Graph graph, String name) {
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Tensor initializer = graph.initializers().get(name);
        if (initializer != null) {
            return Optional.of(initializer);
        }
        return constantNode(graph, name).flatMap(n -> n.attribute("value")).map(a -> a.asTensor());
    }

    /** The integers of constant {@code name} (a tensor, or a Constant's {@code value_ints}); empty otherwise. */
    public static Optional<long[]> longs(Graph graph, String name) {
        Optional<Tensor> t = tensor(graph, name);
        if (t.isPresent()) {
            return t.get().type().isFloatingPoint() ? Optional.empty() : Optional.of(t.get().toLongArray());
        }
        return constantNode(graph, name).flatMap(n -> n.intsAttribute("value_ints"));
    }

    private static Optional<Node> constantNode(Graph graph, String name) {
        return graph.producer(name).filter(n -> n.opType().equals("Constant"));
    }
}
