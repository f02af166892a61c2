package io.dnnvis.trace.backward.graph;

import io.dnnvis.onnx.Node;
import java.util.function.UnaryOperator;

/**
 * A fact a rule (or the compiler) states about a tensor it emitted: what the tensor is, in terms a
 * rewrite pass can compute another way. Notes are optional for a rule and never change the graph;
 * a pass that replaces a noted tensor notes what it emitted instead.
 */
public sealed interface Site {

    /** The emitted tensor this site describes. */
    String output();

    /** The same site with every tensor name it holds passed through {@code names}. */
    Site renamed(UnaryOperator<String> names);

    /**
     * The start signal: the selection input, times the target's value when {@code timesTarget},
     * sent to the target tensor.
     */
    record Start(String output, String selection, String target, boolean timesTarget) implements Site {
        @Override
        public Start renamed(UnaryOperator<String> names) {
            return new Start(names.apply(output), names.apply(selection), target, timesTarget);
        }
    }

    /**
     * The exact backward of a Conv node: {@code output} ({@code [B] ++ x}) is the transposed
     * convolution of {@code signal} ({@code [B] ++ y}) with the forward weights, emitted as a
     * ConvTranspose reading the flattened signal.
     */
    record TransposedConv(String output, String signal, Node conv, Geometry geometry, long[] x, long[] w,
            long[] y, long group) implements Site {
        @Override
        public TransposedConv renamed(UnaryOperator<String> names) {
            return new TransposedConv(names.apply(output), names.apply(signal), conv, geometry, x, w, y, group);
        }
    }

    /**
     * Switch unpooling of a 2-D MaxPool: {@code output} ({@code [B] ++ x}) holds each pooled cell's
     * {@code signal} at its window's first maximum of the forward input {@code pooled}; with
     * {@code positiveOnly}, windows whose maximum is not positive send nothing.
     */
    record SwitchUnpooling(String output, String signal, String pooled, Geometry geometry, long[] x, long[] y,
            boolean positiveOnly) implements Site {
        @Override
        public SwitchUnpooling renamed(UnaryOperator<String> names) {
            return new SwitchUnpooling(names.apply(output), names.apply(signal), pooled, geometry, x, y, positiveOnly);
        }
    }

    /** {@code output = signal * [forward > 0]} (a Relu's gradient mask, read from its output). */
    record PositiveMask(String output, String signal, String forward) implements Site {
        @Override
        public PositiveMask renamed(UnaryOperator<String> names) {
            return new PositiveMask(names.apply(output), names.apply(signal), forward);
        }
    }

    /**
     * {@code output} is {@code phases} interleaved (DepthToSpace) and cropped as {@code layout} says.
     */
    record Interleave(String output, String phases, PhaseLayout layout) implements Site {
        @Override
        public Interleave renamed(UnaryOperator<String> names) {
            return new Interleave(names.apply(output), names.apply(phases), layout);
        }
    }
}
