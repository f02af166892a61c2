package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.passes.GraphPass;
import io.dnnvis.trace.backward.passes.Passes;
import java.util.List;

/**
 * Chooses the rewrite passes of one compilation: those the options allow, in {@link Passes}' order,
 * less those that do not fit how the graph will be run (the one-channel start where a selection
 * may span channels, the host interleave for a batch of several images).
 */
final class PassPlanner {

    private PassPlanner() {
    }

    static List<GraphPass> plan(CompileOptions options, long[] inputShape) {
        return Passes.inOrder().stream()
                .filter(p -> options.passes().allows(p.name()))
                .filter(p -> !p.name().equals("channel-start") || options.channelSelections())
                .filter(p -> !p.name().equals("host-interleave") || inputShape[0] == 1)
                .toList();
    }
}
