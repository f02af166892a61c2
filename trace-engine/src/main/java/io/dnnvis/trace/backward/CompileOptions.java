package io.dnnvis.trace.backward;

import io.dnnvis.trace.backward.passes.PassSelection;

/**
 * How to compile a spec: which rewrite passes may run, and what the caller knows of the runs.
 *
 * @param passes the passes that may run
 * @param oneSignal whether the graph will mostly run one start signal at a time (a single neuron)
 * @param channelSelections whether every selection will be one channel of the target
 */
public record CompileOptions(PassSelection passes, boolean oneSignal, boolean channelSelections) {

    public CompileOptions {
        if (passes == null) {
            throw new IllegalArgumentException("passes are required");
        }
    }
}
