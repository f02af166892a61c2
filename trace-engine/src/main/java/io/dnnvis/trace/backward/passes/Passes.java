package io.dnnvis.trace.backward.passes;

import java.util.List;

/**
 * Every rewrite pass, in the order they run: each later pass sees what the earlier ones made (the
 * one-channel start replaces the exact transposed convolution of the target before the convolution
 * passes rewrite the others; mask elision makes positive-only unpoolings that the scatter then takes).
 */
public final class Passes {

    private static final List<GraphPass> ORDER = List.of(
            new ChannelStartPass(),
            new TransposedConvAsConvPass(),
            new PolyphaseConvPass(),
            new MaskElisionPass(),
            new ScatterUnpoolingPass(),
            new HostInterleavePass());

    private Passes() {
    }

    /** Every pass, in order. */
    public static List<GraphPass> inOrder() {
        return ORDER;
    }

    /** Every pass's name, in order. */
    public static List<String> names() {
        return ORDER.stream().map(GraphPass::name).toList();
    }
}
