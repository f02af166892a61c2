package io.dnnvis.trace.backward;

import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.Tensor;
import java.util.Optional;

/** What a {@link BackwardRule} sees of the node it differentiates, and where it puts its result. */
public interface RuleContext {

    Node node();

    /** Emits the backward nodes. */
    GraphEmitter emit();

    /** The name of forward input {@code i} ("" when the optional input is absent). */
    default String input(int i) {
        return i < node().inputs().size() ? node().inputs().get(i) : "";
    }

    default String output(int i) {
        return node().outputs().get(i);
    }

    /** The static forward shape of a tensor (from a forward run at the compiled input shape). */
    long[] shape(String tensor);

    /** The signal arriving at output {@code i}, shape {@code [B] ++ shape(output(i))}, if any. */
    Optional<String> signal(int outputIndex);

    /** The signal at output {@code i}, or zeros of its shape when none arrives. */
    String signalOrZeros(int outputIndex);

    /** Whether forward input {@code i} carries signal back toward the model input. */
    boolean needsSignal(int inputIndex);

    /** Sends {@code signal} (shape {@code [B] ++ shape(input(i))}) to forward input {@code i}. */
    void send(int inputIndex, String signal);

    /**
     * Whether the rule of the node that produces forward input {@code i} zeroes the signal wherever
     * that input is not positive ({@link BackwardRule#masksNonPositiveOutput}): this rule may then
     * leave out what it would send there, and say so with {@link #sendMasked}. False when the
     * compilation records the signal at every tensor (the recorded signals stay the plain ones).
     */
    boolean inputMasked(int inputIndex);

    /**
     * As {@link #send}, for a signal that is already zero wherever forward input {@code i} is not
     * positive; when every signal arriving there is, the producer's rule may skip its mask.
     */
    void sendMasked(int inputIndex, String signal);

    /** Whether every signal arriving at output {@code i} was sent to it by {@link #sendMasked}. */
    boolean signalMasked(int outputIndex);

    /** The constant value of a tensor (initializer or Constant node output), if it has one. */
    Optional<Tensor> constant(String tensor);

    /** The MaxPool unpooling variant of this compilation. */
    Pooling pooling();

    /**
     * Whether the graph is compiled for one start signal per run (a single neuron): a rule may then
     * take a form that is faster for one signal but holds more memory per signal. The graph must
     * stay right for any number of signals. Asking is noted: a graph whose rules never ask serves
     * one signal and many alike ({@link CompiledBackward#dependsOnSignalCount}), so ask only where
     * the answer changes the form.
     */
    boolean oneSignal();

    /** The default-domain opset of the model. */
    long opset();

    /** An error naming this node, for attribute values or signal paths the rule cannot handle. */
    UnsupportedGraphException unsupported(String why);
}
