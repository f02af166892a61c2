package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardEngine;
import io.dnnvis.trace.backward.BackwardResult;
import io.dnnvis.trace.backward.BackwardSpec;
import io.dnnvis.trace.backward.StartSignal;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.util.List;
import java.util.Optional;

/**
 * Gradients of a target's score on the compiled backward engine: the backward graph of a rule set,
 * started with 1 at every element the target sums, sent back to the input or to a layer.
 */
final class GradientRunner {

    /**
     * One run's outcome.
     *
     * @param signal the signal at the source (the input in the model's layout, or the layer)
     * @param value the forward value of the layer (null for the input)
     * @param score the target's score at this input
     */
    record Outcome(TensorValue signal, TensorValue value, double score) {
    }

    private final BackwardEngine engine;

    GradientRunner(BackwardEngine engine) {
        this.engine = engine;
    }

    /**
     * The signal of {@code rules} for {@code target} at {@code input}, at the model input or at
     * {@code layer} (with the layer's forward value, from the same run).
     */
    Outcome run(TensorValue input, TargetSelection target, Optional<String> layer, RuleSet rules) {
        BackwardSpec spec = new BackwardSpec(target.tensor(), layer.map(List::of).orElse(List.of()), rules,
                StartSignal.ONES, false);
        BackwardResult result = engine.run(spec, input, List.of(target.mask()));
        TensorValue signal = layer.isPresent() ? result.atSources().get(layer.get()) : result.reconstruction();
        TensorValue value = layer.map(l -> result.valuesAtSources().get(l)).orElse(null);
        return new Outcome(signal, value, target.score(result.target().data(), 0));
    }

    /** The forward value of {@code tensor} at {@code input}, {@code [1, ...]}. */
    TensorValue forward(String tensor, TensorValue input) {
        var pass = engine.forwardPasses().get(tensor, input.shape());
        return TensorValue.owning(tensor, pass.outputShape(), pass.run(input.data(), 1));
    }
}
