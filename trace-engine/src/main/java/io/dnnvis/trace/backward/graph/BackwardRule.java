package io.dnnvis.trace.backward.graph;

/**
 * The backward step of one ONNX op: reads the signals arriving at the node's outputs from the
 * context and emits the ONNX nodes that send them to the node's inputs, as the op's exact
 * vector-Jacobian product (or, for a method's override such as DeconvNet's Relu, the method's
 * exact rule). Faster forms of the same values are not a rule's business: they are rewrite passes
 * over the compiled graph ({@code io.dnnvis.trace.backward.passes}).
 *
 * <p>A rule is a pure function of the forward node (its attributes, static shapes and forward
 * tensors) and the arriving signals. A signal of a forward tensor of shape {@code S} has shape
 * {@code [B] ++ S}: one leading axis for the B start signals (neurons) run at once, while
 * forward tensors keep their own shape and broadcast against it.
 */
@FunctionalInterface
public interface BackwardRule {

    void backward(RuleContext ctx);
}
