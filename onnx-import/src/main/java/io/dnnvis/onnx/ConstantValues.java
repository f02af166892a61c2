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

    /**
     * The values the file holds: initializers, the outputs of Constant nodes ({@code value},
     * {@code value_ints}), and Identities of them.
     */
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
                Optional<String> copied = identityInput(name);
                if (copied.isPresent()) {
                    return tensor(copied.get());
                }
                return constantNode(name).flatMap(n -> n.attribute("value")).map(Attribute::asTensor);
            }

            @Override
            public Optional<long[]> longs(String name) {
                Optional<Tensor> t = tensor(name);
                if (t.isPresent()) {
                    return ConstantValues.super.longs(name);
                }
                Optional<String> copied = identityInput(name);
                if (copied.isPresent()) {
                    return longs(copied.get());
                }
                return constantNode(name).flatMap(n -> n.intsAttribute("value_ints"));
            }

            private Optional<Node> constantNode(String name) {
                return name.isEmpty() ? Optional.empty()
                        : graph.producer(name).filter(n -> n.opType().equals("Constant"));
            }

            /** The input of the Identity that makes {@code name} (PyTorch's exporter shares weights so). */
            private Optional<String> identityInput(String name) {
                return graph.producer(name).filter(n -> n.opType().equals("Identity")
                        && (n.domain().isEmpty() || n.domain().equals("ai.onnx")))
                        .map(n -> n.inputs().get(0));
            }
        };
    }
}
