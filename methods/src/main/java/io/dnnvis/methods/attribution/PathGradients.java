package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardEngine;
import io.dnnvis.trace.backward.BackwardSpec;
import io.dnnvis.trace.backward.StartSignal;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;

/**
 * The gradients of one target's score at many inputs (Integrated Gradients' path points, SmoothGrad's
 * noisy copies): as batches of inputs in one run of the backward graph where the model's input
 * takes any batch size (one start signal over the batch; the images are independent, so each gets
 * its own gradient), in batches of what fits in the engine's memory budget; else one input per run.
 */
final class PathGradients {

    /** Receives the gradient at point {@code index} (the model's layout, one image). */
    interface Sink {
        void accept(int index, float[] gradient, int offset);
    }

    /** Produces the input at point {@code index} into {@code into} at {@code offset}. */
    interface Points {
        void write(int index, float[] into, int offset);
    }

    private final BackwardEngine engine;
    private final GradientRunner runner;
    private final RuleSet gradient;

    PathGradients(BackwardEngine engine, GradientRunner runner, RuleSet gradient) {
        this.engine = engine;
        this.runner = runner;
        this.gradient = gradient;
    }

    /** Computes the gradient at each of {@code count} points, in order. */
    void run(TensorValue input, TargetSelection target, int count, Points points, Sink sink) {
        long[] one = input.shape();
        int size = Math.toIntExact(input.elementCount());
        int batch = runner.batchable() ? Math.min(count, runner.batchSize(target.tensor(), one)) : 1;
        if (!runner.keepsImagesApart(target.tensor(), one, batch)) {
            batch = 1;
        }
        BackwardSpec spec = new BackwardSpec(target.tensor(), List.of(), gradient, StartSignal.ONES, false);
        float[] oneMask = target.mask();
        for (int from = 0; from < count; from += batch) {
            int n = Math.min(batch, count - from);
            float[] data = new float[Math.multiplyExact(n, size)];
            float[] mask = new float[Math.multiplyExact(n, oneMask.length)];
            for (int k = 0; k < n; k++) {
                points.write(from + k, data, k * size);
                System.arraycopy(oneMask, 0, mask, k * oneMask.length, oneMask.length);
            }
            long[] shape = one.clone();
            shape[0] = n;
            float[] gradients = engine.runBatch(spec, TensorValue.owning(input.name(), shape, data), mask)
                    .reconstruction().data();
            for (int k = 0; k < n; k++) {
                sink.accept(from + k, gradients, k * size);
            }
        }
    }
}
