package io.dnnvis.trace.backward.graph;

import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.trace.UnsupportedGraphException;
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

    /** The name of forward output {@code i} ("" when the model leaves the optional output out). */
    default String output(int i) {
        return i < node().outputs().size() ? node().outputs().get(i) : "";
    }

    /**
     * The name of forward output {@code i}, which the compiled graph computes even where the model
     * leaves that optional output out (MaxPool's Indices, for instance); shaped as output 0.
     */
    String requireOutput(int i);

    /** The static forward shape of a tensor (from a forward run at the compiled input shape). */
    long[] shape(String tensor);

    /** The signal arriving at output {@code i}, shape {@code [B] ++ shape(output(i))}, if any. */
    Optional<String> signal(int outputIndex);

    /** The signal at output {@code i}, or zeros of its shape when none arrives. */
    String signalOrZeros(int outputIndex);

    /** Whether forward input {@code i} carries signal back toward a source (the model input). */
    boolean needsSignal(int inputIndex);

    /** Sends {@code signal} (shape {@code [B] ++ shape(input(i))}) to forward input {@code i}. */
    void send(int inputIndex, String signal);

    /**
     * Sends {@code signal} (shape {@code [B] ++ shape(tensor)}) to a forward tensor that this node reads
     * through other nodes: a composite taken as one op (the guided rule of {@code x * Sigmoid(x)}) sends
     * its signal to the composite's input in one step, and the nodes inside get none from it. The tensor
     * must be computed before those nodes; one that carries no signal is left out, as by {@link #send}.
     */
    void sendTo(String tensor, String signal);

    /** The forward node that computes {@code tensor}; none for the model input and initializers. */
    Optional<Node> producer(String tensor);

    /** The constant value of a tensor (initializer, Constant node output or static shape computation). */
    Optional<Tensor> constant(String tensor);

    /** The default-domain opset of the model. */
    long opset();

    /**
     * States what an emitted tensor is, so that a rewrite pass can recognise it without matching
     * its nodes (optional: a rule that notes nothing is simply left as it is).
     */
    void note(Site site);

    /** An error naming this node, for attribute values or signal paths the rule cannot handle. */
    UnsupportedGraphException unsupported(String why);
}
