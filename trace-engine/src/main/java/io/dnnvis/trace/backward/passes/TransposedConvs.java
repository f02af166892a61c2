package io.dnnvis.trace.backward.passes;

import io.dnnvis.trace.backward.graph.BackwardGraph;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.Site;

/** Replaces a Conv's exact backward (a {@link Site.TransposedConv}) by another form of it. */
final class TransposedConvs {

    /** Another form of the transposed convolution, from the signal flattened to {@code [B * N, O, ...]}. */
    @FunctionalInterface
    interface Form {
        /** @return {@code [B * N, I, ...]} */
        String emit(GraphEmitter e, String flatSignal);
    }

    private TransposedConvs() {
    }

    /** Emits {@code form} where {@code t} was computed and lets every reader of {@code t} read it. */
    static void replace(BackwardGraph graph, Site.TransposedConv t, Form form) {
        GraphEmitter e = graph.emitterBefore(t.output()).scope(t.conv().name());
        long[] merged = t.y().clone();
        merged[0] = -1;
        String back = form.emit(e, e.reshape(t.signal(), merged));
        graph.replaceUses(t.output(), e.reshapeSignal(back, t.x()));
    }
}
