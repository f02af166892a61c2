package io.dnnvis.trace.backward;

/**
 * The backward step of one ONNX op: reads the signals arriving at the node's outputs from the
 * context and emits the ONNX nodes that send them to the node's inputs.
 *
 * <p>A rule is a pure function of the forward node (its attributes, static shapes and forward
 * tensors) and the arriving signals. A signal of a forward tensor of shape {@code S} has shape
 * {@code [B] ++ S}: one leading axis for the B start signals (neurons) run at once, while
 * forward tensors keep their own shape and broadcast against it.
 */
@FunctionalInterface
public interface BackwardRule {

    void backward(RuleContext ctx);

    /**
     * Whether the signal this rule sends back is zero wherever output 0 is not positive, whatever
     * arrives (a Relu's mask by {@code [output 0 > 0]}): the rules of the nodes that read that output
     * may then leave out what they would send there ({@link RuleContext#inputMasked}), and this rule
     * may skip its mask when all that arrives was sent so ({@link RuleContext#signalMasked}).
     */
    default boolean masksNonPositiveOutput() {
        return false;
    }
}
