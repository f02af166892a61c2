package io.dnnvis.trace.backward;

import io.dnnvis.trace.TensorValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The outcome of one run of a compiled backward graph: the reconstruction, the forward value of the
 * target, and the signals on the way back when they were requested.
 *
 * <p>A graph that starts from one channel per neuron computes only those channels of the target;
 * its result computes the whole target the first time {@link #target()} is asked for, by a forward
 * pass cut at the target (the engine must still be open then).
 */
public final class BackwardResult {

    private final TensorValue reconstruction;
    private final Map<String, TensorValue> sources;
    private final Map<String, TensorValue> sourceValues;
    private final Map<String, TensorValue> signals;
    private Supplier<TensorValue> targetSource; // null once the target is known
    private TensorValue target;

    /**
     * @param reconstruction the signal at the model input, {@code [B, C, H, W]}
     * @param target the forward value of the target tensor
     * @param signals the signal at each tensor on the path ({@code [B] ++ shape}), when requested
     */
    public BackwardResult(TensorValue reconstruction, TensorValue target, Map<String, TensorValue> signals) {
        this(reconstruction, Map.of(), Map.of(), signals, null, Objects.requireNonNull(target, "target"));
    }

    private BackwardResult(TensorValue reconstruction, Map<String, TensorValue> sources,
            Map<String, TensorValue> sourceValues, Map<String, TensorValue> signals,
            Supplier<TensorValue> targetSource, TensorValue target) {
        this.reconstruction = Objects.requireNonNull(reconstruction, "reconstruction");
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources)); // in the spec's order
        this.sourceValues = Map.copyOf(sourceValues);
        this.signals = Map.copyOf(signals);
        this.targetSource = targetSource;
        this.target = target;
    }

    /**
     * A result with the signal at every source; {@code target} is the target's value, or null when
     * {@code later} computes it when first asked for.
     */
    static BackwardResult of(TensorValue reconstruction, Map<String, TensorValue> sources,
            Map<String, TensorValue> sourceValues, Map<String, TensorValue> signals, TensorValue target,
            Supplier<TensorValue> later) {
        return target != null ? new BackwardResult(reconstruction, sources, sourceValues, signals, null, target)
                : new BackwardResult(reconstruction, sources, sourceValues, signals,
                        Objects.requireNonNull(later, "later"), null);
    }

    /** The signal at the first source (the model input unless the spec names sources), {@code [B, C, H, W]}. */
    public TensorValue reconstruction() {
        return reconstruction;
    }

    /** The signal at each source of the spec, {@code [B * N, ...]}, by source tensor (the model input by default). */
    public Map<String, TensorValue> atSources() {
        return sources;
    }

    /**
     * The forward value of each source other than the model input and the target, {@code [N, ...]}
     * (the same for every signal), computed in the same run: e.g. a layer's activation beside the
     * gradient at it.
     */
    public Map<String, TensorValue> valuesAtSources() {
        return sourceValues;
    }

    /**
     * The forward value of the target tensor.
     *
     * @throws IllegalStateException when it still had to be computed and the engine is closed
     */
    public synchronized TensorValue target() {
        if (target == null) {
            target = targetSource.get();
            targetSource = null;
        }
        return target;
    }

    /** The signal at each tensor on the path ({@code [B] ++ shape}), when requested; else empty. */
    public Map<String, TensorValue> signals() {
        return signals;
    }
}
