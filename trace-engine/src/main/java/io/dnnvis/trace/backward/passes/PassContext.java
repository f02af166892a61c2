package io.dnnvis.trace.backward.passes;

/**
 * What a pass may know about how the compiled graph will be run.
 */
public final class PassContext {

    private final boolean oneSignal;
    private boolean signalCountAsked;

    /** @param oneSignal whether the graph is compiled for one start signal per run (a single neuron) */
    public PassContext(boolean oneSignal) {
        this.oneSignal = oneSignal;
    }

    /**
     * Whether the graph is compiled for one start signal per run: a pass may then take a form that
     * is faster for one signal but holds more memory per signal; the graph must stay right for any
     * number of signals. Asking is noted ({@link #signalCountAsked}): a graph no pass asked this of
     * serves one signal and many alike, so ask only where the answer changes the form.
     */
    public boolean oneSignal() {
        signalCountAsked = true;
        return oneSignal;
    }

    /** Whether a pass chose its form by the number of signals per run. */
    public boolean signalCountAsked() {
        return signalCountAsked;
    }
}
