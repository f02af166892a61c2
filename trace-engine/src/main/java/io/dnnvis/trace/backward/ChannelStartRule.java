package io.dnnvis.trace.backward;

/**
 * A rule that can also start the backward pass at its node's output from one output channel per
 * start signal. Every start signal the library makes selects one channel (a whole map or one
 * position of it), so the signal arriving at the target is zero but for one channel; a rule that
 * knows this sends it back at the cost of that channel alone (for a Conv: {@code 1/C} of a full
 * transposed convolution).
 */
public interface ChannelStartRule extends BackwardRule {

    /**
     * Whether this node (the target's producer) can start from one channel. Asked before compiling:
     * read the node, shapes and signal path from {@code ctx}, emit nothing (it has no emitter then).
     */
    boolean startsFromChannel(RuleContext ctx);

    /**
     * Sends back the start signals that are zero but for channel {@code channels[b]} of output 0.
     *
     * @param values that channel's values, shape {@code [B] ++ shape(output(0))} with 1 channel
     * @param channels the B channel indices (int64)
     */
    void backwardFromChannel(RuleContext ctx, String values, String channels);

    /**
     * Emits the forward values of channel {@code channels[b]} of output 0 for each start signal b,
     * from the node's inputs, without the other channels: the target itself is then not computed
     * in the backward graph (for a Conv: {@code 1/O} of its arithmetic).
     *
     * @param channels the B channel indices (int64)
     * @return shape {@code [B] ++ shape(output(0))} with 1 channel
     */
    String forwardChannels(RuleContext ctx, String channels);
}
