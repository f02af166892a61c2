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
     * Whether this rule multiplies the signal arriving at output 0 by {@code [output 0 > 0]}, whatever
     * else it does (a Relu's mask): the rules of the nodes that read that output may then leave out
     * what they would send where it is not positive ({@link RuleContext#inputMasked}).
     */
    default boolean masksNonPositiveOutput() {
        return false;
    }
}
