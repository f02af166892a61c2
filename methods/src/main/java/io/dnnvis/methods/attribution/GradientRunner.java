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

    private final io.dnnvis.onnx.OnnxModel model;
    private final BackwardEngine engine;
    private final int maxBatch;

    GradientRunner(io.dnnvis.onnx.OnnxModel model, BackwardEngine engine, int maxBatch) {
        this.model = model;
        this.engine = engine;
        this.maxBatch = maxBatch;
    }

    /**
     * The signals for several images at once, in order: as batches of images in one backward run
     * where the model's batch axis is open and the images share a shape and a target tensor (each
     * image's own mask; the images are independent), else one run per image.
     */
    List<Outcome> runAll(List<TensorValue> inputs, List<TargetSelection> targets, Optional<String> layer,
            RuleSet rules) {
        boolean alike = inputs.stream().allMatch(i -> java.util.Arrays.equals(i.shape(), inputs.get(0).shape()))
                && targets.stream().allMatch(t -> t.tensor().equals(targets.get(0).tensor()));
        List<Outcome> out = new java.util.ArrayList<>();
        if (inputs.size() == 1 || !alike || !batchable()) {
            for (int i = 0; i < inputs.size(); i++) {
                out.add(run(inputs.get(i), targets.get(i), layer, rules));
            }
            return out;
        }
        String targetTensor = targets.get(0).tensor();
        long[] one = inputs.get(0).shape();
        int batch = batchSize(targetTensor, one);
        if (!engine.runsImagesTogether(targetTensor, one, Math.min(batch, inputs.size()))) {
            for (int i = 0; i < inputs.size(); i++) {
                out.add(run(inputs.get(i), targets.get(i), layer, rules));
            }
            return out;
        }
        BackwardSpec spec = new BackwardSpec(targetTensor, layer.map(List::of).orElse(List.of()), rules,
                StartSignal.ONES, false);
        int size = Math.toIntExact(inputs.get(0).elementCount());
        int maskSize = targets.get(0).mask().length;
        for (int from = 0; from < inputs.size(); from += batch) {
            int n = Math.min(batch, inputs.size() - from);
            float[] data = new float[Math.multiplyExact(n, size)];
            float[] mask = new float[Math.multiplyExact(n, maskSize)];
            for (int k = 0; k < n; k++) {
                System.arraycopy(inputs.get(from + k).data(), 0, data, k * size, size);
                System.arraycopy(targets.get(from + k).mask(), 0, mask, k * maskSize, maskSize);
            }
            long[] shape = one.clone();
            shape[0] = n;
            BackwardResult result = engine.runBatch(spec, TensorValue.owning(inputs.get(0).name(), shape, data), mask);
            TensorValue signals = layer.isPresent() ? result.atSources().get(layer.get()) : result.reconstruction();
            TensorValue values = layer.map(l -> result.valuesAtSources().get(l)).orElse(null);
            float[] scores = result.target().data();
            for (int k = 0; k < n; k++) {
                out.add(new Outcome(slice(signals, k, n), values == null ? null : slice(values, k, n),
                        targets.get(from + k).score(scores, k * maskSize)));
            }
        }
        return out;
    }

    /** How many images one backward run takes: what fits the engine's memory budget, at most {@code maxBatch}. */
    int batchSize(String targetTensor, long[] oneImage) {
        return Math.max(1, Math.min(maxBatch, engine.batchLimit(targetTensor, oneImage)));
    }

    /** Whether the model's input leaves its batch size open. */
    boolean batchable() {
        List<io.dnnvis.onnx.ValueInfo> inputs = model.graph().inputs();
        return inputs.size() == 1 && inputs.get(0).hasOpenBatch();
    }

    /** Image {@code k} of a batch of {@code n}, {@code [1, ...]}. */
    private static TensorValue slice(TensorValue batch, int k, int n) {
        long[] shape = batch.shape();
        int per = Math.toIntExact(batch.elementCount() / n);
        shape[0] = shape[0] / n;
        float[] data = java.util.Arrays.copyOfRange(batch.data(), k * per, (k + 1) * per);
        return TensorValue.owning(batch.name(), shape, data);
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
