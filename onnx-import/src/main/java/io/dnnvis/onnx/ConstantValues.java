package io.dnnvis.onnx;

import java.util.Optional;

/**
 * Where the values of constant tensors come from, for code that reads an op's geometry (pads, slice
 * bounds) from its inputs: the file's initializers and Constant nodes ({@link #of(Graph)}), or a
 * backward compiler's context, which also knows the constants it folded.
 */
@FunctionalInterface
public interface ConstantValues {

    /** The tensor {@code name} when its value is known without running the graph; empty otherwise. */
    Optional<Tensor> tensor(String name);

    /** The integers of constant {@code name}; empty when it is not a known integer tensor. */
    default Optional<long[]> longs(String name) {
        return tensor(name).filter(t -> !t.type().isFloatingPoint()).map(Tensor::toLongArray);
    }

    /** The values the file holds: initializers, and the outputs of Constant nodes ({@code value}, {@code value_ints}). */
    static ConstantValues of(Graph graph) {
        return new ConstantValues() {
            @Override
            public Optional<Tensor> tensor(String name) {
                if (name.isEmpty()) {
                    return Optional.empty();
                }
                Tensor initializer = graph.initializers().get(name);
                if (initializer != null) {
                    return Optional.of(initializer);
                }
                return constantNode(name).flatMap(n -> n.attribute("value")).map(Attribute::asTensor);
            }

            @Override
            public Optional<long[]> longs(String name) {
                Optional<Tensor> t = tensor(name);
                if (t.isPresent()) {
                    return ConstantValues.super.longs(name);
                }
                return constantNode(name).flatMap(n -> n.intsAttribute("value_ints"));
            }

            private Optional<Node> constantNode(String name) {
                return name.isEmpty() ? Optional.empty()
                        : graph.producer(name).filter(n -> n.opType().equals("Constant"));
            }
        };
    }
}
