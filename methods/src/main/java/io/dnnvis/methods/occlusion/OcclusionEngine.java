package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ChannelAxis;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.ActivationCheck;
import io.dnnvis.trace.EngineException;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.ForwardPasses;
import io.dnnvis.trace.ModelRefusedException;
import io.dnnvis.trace.TensorTooLargeException;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.TruncatedForward;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Runs occlusion requests on one model. The occluded images run in batches through the forward
 * graph truncated at the watched tensor; one such session is opened per (watched tensor, input
 * shape), the first time a run needs it, and serves every later run (another window, stride, fill
 * or target of the same layer included). A model with a static batch of 1 is batched when its
 * graph allows it, else run one image at a time.
 *
 * <p>Thread-safe: runs may come from many threads at once, and a session is opened once even when
 * several threads ask for it together. {@link #close()} waits for runs in flight and frees the
 * sessions, unless they were lent to it (a {@code Visualizer}'s engines share them).
 */
public final class OcclusionEngine implements AutoCloseable {

    /**
     * The static shapes of a tensor and of every tensor it depends on, for an input shape (batch 1):
     * e.g. {@code BackwardEngine::shapes}, whose probes are cached. Used to size batches; it may
     * throw an {@link EngineException} or {@link ModelRefusedException}, and the batch is then sized from the input and target alone.
     */
    @FunctionalInterface
    public interface ShapeSource {
        Map<String, long[]> shapes(String tensor, long[] inputShape);
    }

    private final OnnxModel model;
    private final ShapeSource shapes;
    private final ForwardPasses forwards;
    /** Whether {@link #forwards} is this engine's own, closed with it (else whoever lent it closes it). */
    private final boolean ownsForwards;
    /** Where the input keeps its channels: the windows cover its rows and columns. */
    private final InputLayout layout;
    /** The sessions of incremental occlusion, opened as runs need them. */
    private final PatchSessions patchSessions;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private OcclusionEngine(OnnxModel model, ShapeSource shapes, ForwardPasses forwards, boolean ownsForwards,
            InputLayout layout) {
        this.model = model;
        this.shapes = shapes;
        this.forwards = forwards;
        this.ownsForwards = ownsForwards;
        this.layout = java.util.Objects.requireNonNull(layout, "layout");
        this.patchSessions = new PatchSessions(model, forwards.options());
    }

    /**
     * An engine for {@code model} with forward passes of its own, its input's layout {@link
     * InputLayout#of(OnnxModel) decided from the graph}; opens no session before the first run.
     */
    public static OcclusionEngine open(OnnxModel model, EngineOptions options, ShapeSource shapes) {
        return new OcclusionEngine(model, shapes, ForwardPasses.of(model, options), true, InputLayout.of(model));
    }

    /**
     * An engine for {@code model} that runs on {@code forwards}, shared with their owner (a
     * {@code BackwardEngine}'s), who closes them; the input's layout decided from the graph.
     */
    public static OcclusionEngine open(OnnxModel model, ShapeSource shapes, ForwardPasses forwards) {
        return open(model, shapes, forwards, InputLayout.of(model));
    }

    /** As {@link #open(OnnxModel, ShapeSource, ForwardPasses)}, the input laid out as {@code layout}. */
    public static OcclusionEngine open(OnnxModel model, ShapeSource shapes, ForwardPasses forwards,
            InputLayout layout) {
        return new OcclusionEngine(model, shapes, forwards, false, layout);
    }

    /** Where the input keeps its channels: the windows slide over its rows and columns. */
    public InputLayout layout() {
        return layout;
    }

    public OnnxModel model() {
        return model;
    }

    /** A fluent builder of requests that run on this engine. */
    public OcclusionBuilder builder() {
        return OcclusionBuilder.on(this);
    }

    /** Runs {@code request} on one input image, {@code [1, C, H, W]} or {@code [1, H, W, C]} as {@link #layout()} says. */
    public OcclusionResult run(OcclusionRequest request, TensorValue input) {
        return run(request, input, OcclusionProgress.NONE);
    }

    /**
     * Runs {@code request} on one input image (in the model's {@link #layout()}), telling {@code progress} after
     * every batch how many windows are done.
     *
     * @throws BadRequestException when the layer, the target or the input does not fit the model
     * @throws TensorTooLargeException when one image's tensors exceed the engine's
     *     {@link io.dnnvis.trace.EngineOptions#maxTensorBytes()} (batches are cut to keep within it)
     * @throws java.util.concurrent.CancellationException when the thread is interrupted between batches
     */
    public OcclusionResult run(OcclusionRequest request, TensorValue input, OcclusionProgress progress) {
        return whileOpen(() -> {
            long t0 = System.nanoTime();
            long[] inputShape = checkInput(input);
            Layer watched = watchedLayer(request);
            TruncatedForward forward = forward(watched, inputShape);
            long[] targetShape = forward.outputShape();
            Map<String, long[]> probed = probedShapes(watched, inputShape);
            BatchPlan plan = plan(request, inputShape, watched, targetShape, probed);
            OcclusionMethod method = method(request, watched, targetShape, probed);
            Occluder occluder = new Occluder(input, request.fill(), layout);
            WindowGrid grid = method.grid(occluder.height(), occluder.width());
            WindowSweep sweep = sweep(request, watched, probed, occluder, grid, forward, plan);
            TensorValue values;
            try {
                values = method.run(sweep, occluder, grid, plan.images(), progress);
            } catch (EngineException | ModelRefusedException e) {
                if (!(sweep instanceof IncrementalSweep)) {
                    throw e;
                }
                // a patch graph ONNX Runtime refuses at its first run: the full recompute is always there
                sweep = WindowSweep.full(forward, occluder);
                values = method.run(sweep, occluder, grid, plan.images(), progress);
            }
            return new OcclusionResult(request, watched, values, grid.count(), plan, forward.batchable(),
                    Duration.ofNanos(System.nanoTime() - t0), sweep.path(), Double.NaN);
        });
    }

    /**
     * {@code approx} (a run with {@code approx} above 0) with its {@link OcclusionResult#approxError}:
     * the same request run exactly on {@code input} (incrementally), and the maps compared. An exact
     * result comes back as it is.
     */
    public OcclusionResult withApproxError(OcclusionResult approx, TensorValue input) {
        OcclusionRequest r = approx.request();
        if (r.approx() == 0) {
            return approx;
        }
        OcclusionRequest exact = new OcclusionRequest(r.layer(), r.window(), r.stride(), r.fill(), r.target(),
                r.batch(), r.memoryCap(), r.incremental(), 0);
        float[] reference = run(exact, input).tensor().data();
        return approx.withApproxError(OcclusionResult.relativeError(approx.tensor().data(), reference));
    }

    /**
     * The batch a run of {@code request} on {@code input} would use, without occluding anything:
     * the requested (or default) batch cut down to what fits in the request's memory cap, a
     * quarter of the Java heap, one Java array and, for every tensor of the run, the engine's
     * {@link io.dnnvis.trace.EngineOptions#maxTensorBytes()}. Lets a caller say so before a long run;
     * fails as {@link #run} would for a layer, a target or an input that do not fit the model.
     *
     * @throws TensorTooLargeException when one image's tensors already exceed that limit
     */
    public BatchPlan batchPlan(OcclusionRequest request, TensorValue input) {
        return whileOpen(() -> {
            long[] inputShape = checkInput(input);
            Layer watched = watchedLayer(request);
            Map<String, long[]> probed = probedShapes(watched, inputShape);
            long[] targetShape = targetShape(watched, inputShape, probed);
            method(request, watched, targetShape, probed);
            return plan(request, inputShape, watched, targetShape, probed);
        });
    }

    /**
     * The shape of the watched tensor for one image (the model output for a class target), checking
     * the request's layer and the input without occluding anything: e.g. to check channel numbers
     * before a long run.
     */
    public long[] layerShape(OcclusionRequest request, TensorValue input) {
        return whileOpen(() -> {
            long[] inputShape = checkInput(input);
            Layer watched = watchedLayer(request);
            return targetShape(watched, inputShape, probedShapes(watched, inputShape));
        });
    }

    /** How many truncated forward sessions this engine has opened (tests of the reuse). */
    int openedForwards() {
        return forwards.opened();
    }

    /** Frees every session; waits for runs in flight. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                patchSessions.close();
                if (ownsForwards) {
                    forwards.close();
                }
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private <T> T whileOpen(Supplier<T> work) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the occlusion engine of " + model.fileName() + " is closed");
            }
            return work.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * The incremental sweep where the request allows it and the graph has patch rules after its input
     * (in automatic mode: where it saves work; an approximate request patches as far as it can), else
     * the full recompute.
     */
    private WindowSweep sweep(OcclusionRequest request, Layer watched, Map<String, long[]> probed, Occluder occluder,
            WindowGrid grid, TruncatedForward forward, BatchPlan plan) {
        if (request.incremental() != IncrementalMode.OFF && forward.batchable()) {
            try {
                Optional<IncrementalSweep> incremental = IncrementalPlan.plan(patchSessions, model, watched.tensor(),
                        probed, occluder, grid, request.incremental() == IncrementalMode.AUTO && request.approx() == 0,
                        request.approx(),
                        request.batch() > 0 ? plan.images() : Math.min(plan.limit(), IncrementalSweep.TAIL_BATCH));
                if (incremental.isPresent()) {
                    return incremental.get();
                }
            } catch (EngineException | ModelRefusedException e) {
                // a patch graph ONNX Runtime refuses: the full recompute is always there
            }
        }
        return WindowSweep.full(forward, occluder);
    }

    private TruncatedForward forward(Layer watched, long[] inputShape) {
        return forwards.get(watched.tensor(), inputShape);
    }

    /**
     * The algorithm of the request, checked against the watched tensor's shape and, where it counts
     * channels on axis 1 (layer occlusion, a neuron target), against a layer that holds them last.
     */
    private OcclusionMethod method(OcclusionRequest request, Layer watched, long[] targetShape,
            Map<String, long[]> probed) {
        boolean neuron = request.target().isPresent() && request.target().get() instanceof Target.NeuronScore;
        if (!request.isScoreOcclusion() || neuron) {
            ChannelAxis.requireFirst(model.graph(), probed, layout, watched.tensor(),
                    "'" + request.layer().orElse(watched.tensor()) + "'", neuron
                            ? "a neuron target counts channels on axis 1 (output:NAME[...] names any element)"
                            : "layer occlusion measures each channel on axis 1");
        }
        if (!request.isScoreOcclusion()) {
            return LayerOcclusion.of(request, targetShape);
        }
        Map<String, long[]> shapes = new java.util.HashMap<>(probed);
        shapes.put(watched.tensor(), targetShape);
        return ScoreOcclusion.of(model, request, watched.tensor(), shapes, layout);
    }

    private BatchPlan plan(OcclusionRequest request, long[] inputShape, Layer watched, long[] targetShape,
            Map<String, long[]> probed) {
        if (Sweep.count(targetShape) > BatchPlan.MAX_ARRAY) {
            throw new BadRequestException("layer '" + watched.tensor() + "' has shape " + Arrays.toString(targetShape)
                    + ", more values per image than one Java array holds");
        }
        long maxTensorBytes = forwards.options().maxTensorBytes();
        refuseTensorOverLimit(inputShape, watched, targetShape, probed, maxTensorBytes);
        return BatchPlan.withinMemory(request.batch(), inputShape, targetShape, probed, maxTensorBytes,
                request.memoryCap());
    }

    /**
     * Refuses a run whose one image already has a tensor over {@code maxTensorBytes}: the input, the
     * target or one probed between them (the forward pass's own check misses shapes that are not static).
     */
    private void refuseTensorOverLimit(long[] inputShape, Layer watched, long[] targetShape,
            Map<String, long[]> probed, long maxTensorBytes) {
        Map<String, long[]> tensors = new java.util.LinkedHashMap<>();
        tensors.put(model.graph().inputs().get(0).name(), inputShape);
        tensors.putAll(probed);
        tensors.putIfAbsent(watched.tensor(), targetShape);
        for (Map.Entry<String, long[]> e : tensors.entrySet()) {
            long bytes = ActivationCheck.bytes(e.getValue());
            if (bytes > maxTensorBytes) {
                throw TensorTooLargeException.overLimit(model.path(), e.getKey(), e.getValue(), bytes, maxTensorBytes);
            }
        }
    }

    /** The shapes of every tensor the watched one depends on; empty when they cannot be probed. */
    private Map<String, long[]> probedShapes(Layer watched, long[] inputShape) {
        try {
            return shapes.shapes(watched.tensor(), inputShape);
        } catch (EngineException | ModelRefusedException e) {
            return Map.of(); // the plan then counts the input and the target alone
        }
    }

    /** The watched tensor's shape: probed, else from its (cached) truncated forward pass. */
    private long[] targetShape(Layer watched, long[] inputShape, Map<String, long[]> probed) {
        long[] probedShape = probed.get(watched.tensor());
        return probedShape != null ? probedShape.clone() : forward(watched, inputShape).outputShape();
    }

    private Layer watchedLayer(OcclusionRequest request) {
        if (request.target().isPresent() && !request.target().get().needsLayer()) {
            return model.graph().layerOfTensor(TargetSelection.tensorOf(model, request.target().get(), null));
        }
        return model.graph().layer(request.layer().orElseThrow());
    }

    private long[] checkInput(TensorValue input) {
        long[] shape = input.shape();
        if (shape.length != 4 || shape[0] != 1) {
            throw new BadRequestException("occlusion needs one input image " + (layout == InputLayout.NHWC
                    ? "[1, H, W, C]" : "[1, C, H, W]") + ", got shape " + Arrays.toString(shape));
        }
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            throw new BadRequestException(model.fileName() + ": the model has " + inputs.size()
                    + " inputs; occlusion needs one");
        }
        Optional<List<Dim>> declared = inputs.get(0).shape();
        if (declared.isPresent()) {
            List<Dim> dims = declared.get();
            boolean fits = dims.size() == 4;
            for (int k = 1; fits && k < 4; k++) {
                fits = !dims.get(k).isFixed() || dims.get(k).value() == shape[k];
            }
            if (!fits) {
                throw new BadRequestException("input shape " + Arrays.toString(shape)
                        + " does not fit the model's input " + inputs.get(0).name() + " " + dims);
            }
        }
        return shape;
    }
}
