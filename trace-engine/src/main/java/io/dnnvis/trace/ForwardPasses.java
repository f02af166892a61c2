package io.dnnvis.trace;

import io.dnnvis.onnx.OnnxModel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The forward passes of one model cut at a tensor ({@link TruncatedForward}), one per (tensor, input
 * shape), opened the first time they are asked for (once, however many threads ask) and kept until
 * {@link #close()}. The backward engine (a target's value the graph left out) and occlusion (the
 * occluded images) share them. Thread-safe.
 */
public final class ForwardPasses implements AutoCloseable {

    private record Key(String tensor, List<Long> inputShape) {
    }

    private final OnnxModel model;
    private final EngineOptions options;
    private final Memo<Key, TruncatedForward> passes = new Memo<>();
    private final AtomicInteger opened = new AtomicInteger();

    /** Refuses, from the shapes, a pass with a tensor that does not fit before it is opened (and probed). */
    private final ActivationCheck activations;

    private ForwardPasses(OnnxModel model, EngineOptions options, ActivationCheck activations) {
        this.model = model;
        this.options = options;
        this.activations = activations;
    }

    /** An empty set of passes of {@code model}; opens nothing yet. */
    public static ForwardPasses of(OnnxModel model, EngineOptions options) {
        return of(model, options, new ActivationCheck(model, options));
    }

    /** As {@link #of(OnnxModel, EngineOptions)}, checking the passes' tensors with {@code activations} (shared). */
    public static ForwardPasses of(OnnxModel model, EngineOptions options, ActivationCheck activations) {
        return new ForwardPasses(model, options, activations);
    }

    /**
     * The pass cut at {@code tensor} for inputs of {@code inputShape}, opened on first use. Its probe
     * of batches (a run at batch 2) runs only when, by the shapes, two inputs' tensors fit as well
     * ({@link ActivationCheck#batchFit}); otherwise the pass runs one input at a time.
     *
     * @throws TensorTooLargeException when, by the shapes, a tensor of the pass does not fit
     *     (see {@link ActivationCheck}); nothing has run then
     */
    public TruncatedForward get(String tensor, long[] inputShape) {
        long[] shape = inputShape.clone();
        return passes.get(new Key(tensor, Arrays.stream(shape).boxed().toList()), k -> {
            Map<String, long[]> checked = checkActivations(tensor, shape);
            // the pass learns whether its graph takes batches from a run at batch 2: only where two inputs fit
            boolean probe = activations.batchFit(checked, false) >= 2;
            TruncatedForward forward = TruncatedForward.open(model, tensor, shape, options, probe);
            opened.incrementAndGet();
            return forward;
        });
    }

    /** The engine options the passes are opened with (their {@link EngineOptions#maxTensorBytes()} bounds batches). */
    public EngineOptions options() {
        return options;
    }

    /** The shapes checked at batch 1 (empty when they are not static or the model has several inputs). */
    private Map<String, long[]> checkActivations(String layer, long[] inputShape) {
        var inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            return Map.of(); // opening the pass says so
        }
        String tensor = model.graph().tensor(layer);
        return activations.check(List.of(tensor), Map.of(inputs.get(0).name(), inputShape), false);
    }

    /** How many passes were opened (tests of the reuse). */
    public int opened() {
        return opened.get();
    }

    /** Closes every pass opened; the caller has waited for runs in flight. */
    @Override
    public void close() {
        passes.values().forEach(TruncatedForward::close);
    }
}
