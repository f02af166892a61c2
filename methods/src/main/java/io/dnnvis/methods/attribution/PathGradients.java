package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The gradients of one target's score at many inputs (Integrated Gradients' path points, SmoothGrad's
 * noisy copies): as batches of inputs in one run of the backward graph where the model's input
 * takes any batch size (one start signal over the batch; the images are independent, so each gets
 * its own gradient), in batches of what fits in the engine's memory budget; else one input per run.
 */
final class PathGradients {

    /** Receives the gradient at point {@code index} (the model's layout, one image). */
    interface Sink {
        void accept(int index, float[] gradient);
    }

    /** The input at point {@code index}, one image in the model's layout, a new array. */
    interface Points {
        float[] at(int index);
    }

    private final GradientRunner runner;
    private final RuleSet gradient;

    PathGradients(GradientRunner runner, RuleSet gradient) {
        this.runner = runner;
        this.gradient = gradient;
    }

    /**
     * Computes the gradient at each of {@code count} points, in order, making the points a batch
     * at a time ({@link GradientRunner#runAll} decides whether a batch runs as one); {@code ran}
     * is told the size of each batch once its gradients are in {@code sink}.
     */
    void run(TensorValue input, TargetSelection target, int count, Points points, Sink sink,
            java.util.function.IntConsumer ran) {
        int batch = runner.batchable() ? runner.batchSize(target.tensor(), input.shape()) : 1;
        for (int from = 0; from < count; from += batch) {
            int n = Math.min(batch, count - from);
            List<TensorValue> inputs = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                inputs.add(TensorValue.owning(input.name(), input.shape(), points.at(from + k)));
            }
            List<GradientRunner.Outcome> outcomes = runner.runAll(inputs, Collections.nCopies(n, target),
                    Optional.empty(), gradient);
            for (int k = 0; k < n; k++) {
                sink.accept(from + k, outcomes.get(k).signal().data());
            }
            ran.accept(n);
        }
    }
}
