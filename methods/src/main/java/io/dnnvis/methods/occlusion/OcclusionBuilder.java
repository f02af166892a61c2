package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.Target;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.TensorValue;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds an {@link OcclusionRequest} fluently and runs it on the engine it came from:
 *
 * <pre>{@code
 * OcclusionResult r = vis.occlusion().layer("conv5").window(15).stride(8).run(input);
 * INDArray change = r.values();                       // [C, Hs, Ws]
 * BufferedImage heat = r.map(r.strongestChannels(1)[0]).heatmap(HeatmapStyle.defaults(), 224, 224);
 * }</pre>
 *
 * <p>Immutable: each setter returns a new builder, so one can be kept, varied and run again.
 * Nothing is checked before {@link #request()}, which every other terminal method calls first.
 * Defaults: no layer, window or stride (they must be given), the input's mean as fill, layer
 * occlusion, an automatic batch, no progress listener.
 */
public final class OcclusionBuilder {

    private final OcclusionEngine engine;
    private final String layer;
    private final int window;
    private final int stride;
    private final Fill fill;
    private final Target target;
    private final int batch;
    private final long memoryCap;
    private final OcclusionProgress progress;
    private final IncrementalMode incremental;
    private final double approx;

    private OcclusionBuilder(OcclusionEngine engine, String layer, int window, int stride, Fill fill, Target target,
            int batch, long memoryCap, OcclusionProgress progress) {
        this(engine, layer, window, stride, fill, target, batch, memoryCap, progress, IncrementalMode.fromProperty(), 0);
    }

    private OcclusionBuilder(OcclusionEngine engine, String layer, int window, int stride, Fill fill, Target target,
            int batch, long memoryCap, OcclusionProgress progress, IncrementalMode incremental, double approx) {
        this.engine = engine;
        this.layer = layer;
        this.window = window;
        this.stride = stride;
        this.fill = fill;
        this.target = target;
        this.batch = batch;
        this.memoryCap = memoryCap;
        this.progress = progress;
        this.incremental = incremental;
        this.approx = approx;
    }

    static OcclusionBuilder on(OcclusionEngine engine) {
        return new OcclusionBuilder(engine, null, 0, 0, Fill.mean(), null, 0, 0, OcclusionProgress.NONE);
    }

    /** The layer to watch: alias ({@code conv5}), node name or tensor name. Not needed for a class target. */
    public OcclusionBuilder layer(String nameOrAlias) {
        return new OcclusionBuilder(engine, nameOrAlias, window, stride, fill, target, batch, memoryCap,
                progress, incremental, approx);
    }

    /** The window size k in pixels: odd and positive. */
    public OcclusionBuilder window(int k) {
        return new OcclusionBuilder(engine, layer, k, stride, fill, target, batch, memoryCap,
                progress, incremental, approx);
    }

    /** The distance s between windows in pixels: positive. */
    public OcclusionBuilder stride(int s) {
        return new OcclusionBuilder(engine, layer, window, s, fill, target, batch, memoryCap,
                progress, incremental, approx);
    }

    /** What the window is painted with (default: the input's mean). */
    public OcclusionBuilder fill(Fill f) {
        return new OcclusionBuilder(engine, layer, window, stride, f, target, batch, memoryCap,
                progress, incremental, approx);
    }

    /** Score occlusion of this target instead of layer occlusion; null returns to layer occlusion. */
    public OcclusionBuilder target(Target t) {
        return new OcclusionBuilder(engine, layer, window, stride, fill, t, batch, memoryCap,
                progress, incremental, approx);
    }

    /**
     * Occluded images per ONNX Runtime run; 0 (the default) picks from the layer's size. Either is
     * cut down to what fits in memory and keeps every tensor within the engine's {@code maxTensorBytes}
     * ({@link #batchPlan}); a negative batch is refused by {@link #request()}.
     */
    public OcclusionBuilder batch(int images) {
        return new OcclusionBuilder(engine, layer, window, stride, fill, target, images, memoryCap,
                progress, incremental, approx);
    }

    /**
     * About how many bytes the occluded images of one run may take, Java arrays and ONNX Runtime's
     * tensors together; 0 (the default) is {@link BatchPlan#defaultMemoryCap()}, from the machine's
     * available memory.
     */
    public OcclusionBuilder memoryCap(long bytes) {
        return new OcclusionBuilder(engine, layer, window, stride, fill, target, batch, bytes,
                progress, incremental, approx);
    }

    /** Whether to recompute only what each window changes (default: {@link IncrementalMode#fromProperty()}, auto). */
    public OcclusionBuilder incremental(IncrementalMode mode) {
        return new OcclusionBuilder(engine, layer, window, stride, fill, target, batch, memoryCap, progress, mode,
                approx);
    }

    /** Krypton's projective-field threshold TAU in [0, 1) (0, the default: the exact map). */
    public OcclusionBuilder approx(double tau) {
        return new OcclusionBuilder(engine, layer, window, stride, fill, target, batch, memoryCap, progress,
                incremental, tau);
    }

    /** Told after every batch how many windows are done (not part of the request: it watches a run). */
    public OcclusionBuilder progress(OcclusionProgress listener) {
        return new OcclusionBuilder(engine, layer, window, stride, fill, target, batch, memoryCap,
                listener == null ? OcclusionProgress.NONE : listener, incremental, approx);
    }

    /**
     * The request as a value.
     *
     * @throws io.dnnvis.methods.core.BadRequestException when a setting is out of range or missing
     */
    public OcclusionRequest request() {
        return new OcclusionRequest(Optional.ofNullable(layer), window, stride, fill, Optional.ofNullable(target),
                batch, memoryCap, incremental, approx);
    }

    /** Runs the request on one input image, laid out as the model declares it ({@link OcclusionEngine#layout()}). */
    public OcclusionResult run(TensorValue input) {
        return engine.run(request(), input, progress);
    }

    /** Runs the request on one input image, laid out as the model declares it ({@link OcclusionEngine#layout()}). */
    public OcclusionResult run(INDArray input) {
        List<ValueInfo> inputs = engine.model().graph().inputs();
        return run(TensorValue.of(inputs.isEmpty() ? "input" : inputs.get(0).name(), input));
    }

    /**
     * {@code result} of an approximate run on {@code input} with its error against the exact map
     * ({@link OcclusionResult#approxError}; the request runs again exactly); an exact result as it is.
     */
    public OcclusionResult withApproxError(OcclusionResult result, TensorValue input) {
        return engine.withApproxError(result, input);
    }

    /** {@link OcclusionEngine#batchPlan} of this request. */
    public BatchPlan batchPlan(TensorValue input) {
        return engine.batchPlan(request(), input);
    }

    /** {@link OcclusionEngine#layerShape} of this request. */
    public long[] layerShape(TensorValue input) {
        return engine.layerShape(request(), input);
    }
}
