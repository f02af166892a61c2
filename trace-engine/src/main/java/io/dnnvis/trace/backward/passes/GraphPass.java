package io.dnnvis.trace.backward.passes;

import io.dnnvis.trace.backward.graph.BackwardGraph;

/**
 * A rewrite of a compiled backward graph into a faster one that computes the same outputs, as
 * ONNX Runtime's graph transformers rewrite an exact graph. A pass finds what to rewrite from the
 * {@link io.dnnvis.trace.backward.graph.Site}s noted by the rules, inserts its own nodes where the
 * replaced tensor was computed, and rewires the readers; the replaced nodes are dropped when
 * nothing reads them any more. It never changes the value of a graph output; where it changes how
 * the graph is fed or read (the start input, an output held as phases), it says so in the graph's
 * {@link io.dnnvis.trace.backward.graph.StartInput} or {@link io.dnnvis.trace.backward.graph.GraphOutput}.
 */
public interface GraphPass {

    /** The pass's name, by which it is switched off ({@link PassSelection}). */
    String name();

    /** Rewrites {@code graph} in place; whether anything changed. */
    boolean apply(BackwardGraph graph, PassContext context);
}
