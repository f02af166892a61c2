package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.BadRequestException;
import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.EngineException;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.ModelRefusedException;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.TruncatedForward;
import io.dnnvis.trace.backward.BackwardEngine;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An immutable, fluent occlusion request: slide a window of the fill colour over the image and
 * watch a layer. Each setter returns a new request.
 *
 * <ul>
 *   <li><b>Layer occlusion</b> (no {@link #target}): the original library's method. Window centres at
 *       rows and columns 0, s, 2s, ... of the image, each window k x k (k odd) clipped to it; the
 *       result {@code [C, Hs, Ws]} holds, per channel c of the layer and centre (i, j), the L2 norm of
 *       channel c's map for the occluded image minus that for the original.
 *   <li><b>Score occlusion</b> (with a target): Captum's {@code Occlusion}. Windows start at 0, s,
 *       2s, ... with {@code ceil((D-k)/s) + 1} positions per axis, the last cut at the border; each
 *       pixel gets the mean of {@code score(original) - score(occluded)} over the windows covering it
 *       (NaN where none does, possible only when s > k). The result is {@code [H, W]}.
 * </ul>
 *
 * <p>The occluded images run in batches through one ONNX Runtime session of the forward graph
 * truncated at the target tensor; a model with a static batch of 1 is batched when its graph allows
 * it, else run one image at a time.
 *
 * <pre>{@code
 * OcclusionResult r = vis.occlusion().layer("conv5").window(15).stride(8).run(input);
 * INDArray change = r.values();                       // [C, Hs, Ws]
 * BufferedImage heat = r.map(r.strongestChannels(1)[0]).heatmap(HeatmapStyle.defaults(), 224, 224);
 * }</pre>
 */
public final class OcclusionRequest {

    /** A default batch keeps a batch's input and target tensors under this many bytes. */
    public static final long BATCH_BYTES = 64L << 20;
    /**
     * The largest default batch. On CPU, throughput stops growing at a few images per run and drops
     * beyond ~16 as the intermediate activations leave the caches (alexnet-mini conv5, 784 windows on
     * 2 cores: 4.1 s at 4, 4.3 s at 16, 5.2 s at 64, 5.5 s at 128).
     */
    public static final int MAX_DEFAULT_BATCH = 16;
    /**
     * About how many bytes the occluded images of one run may take, Java arrays and ONNX Runtime's
     * tensors together: larger batches, asked for or not, are cut down to fit (see {@link BatchPlan}).
     */
    public static final long MEMORY_BUDGET = 1L << 30;

    /**
     * The static shapes of a tensor and of every tensor it depends on, for an input shape (batch 1):
     * {@code BackwardEngine::shapes}.
     */
    @FunctionalInterface
    public interface ShapeSource {
        Map<String, long[]> shapes(String tensor, long[] inputShape);
    }

    private final OnnxModel model;
    private final EngineOptions options;
    private final ShapeSource shapes;
    private final String layer;
    private final int window;
    private final int stride;
    private final Fill fill;
    private final int batch;
    private final Target target;
    private final OcclusionProgress progress;

    private OcclusionRequest(OnnxModel model, EngineOptions options, ShapeSource shapes, String layer, int window,
            int stride, Fill fill, int batch, Target target, OcclusionProgress progress) {
        this.model = model;
        this.options = options;
        this.shapes = shapes;
        this.layer = layer;
        this.window = window;
        this.stride = stride;
        this.fill = fill;
        this.batch = batch;
        this.target = target;
        this.progress = progress;
    }

    /**
     * A request on {@code model} (no layer, window or stride yet; fill mean; automatic batch) whose
     * batch is sized from shapes probed by a backward engine opened for the purpose.
     */
    public static OcclusionRequest of(OnnxModel model, EngineOptions options) {
        return of(model, options, (tensor, inputShape) -> {
            try (BackwardEngine engine = BackwardEngine.open(model, options)) {
                return engine.shapes(tensor, inputShape);
            }
        });
    }

    /** A request whose batch is sized from the shapes {@code shapes} gives (e.g. a shared engine's, cached). */
    public static OcclusionRequest of(OnnxModel model, EngineOptions options, ShapeSource shapes) {
        return new OcclusionRequest(model, options, shapes, null, 0, 0, Fill.mean(), 0, null, OcclusionProgress.NONE);
    }

    /** The layer to watch: alias ({@code conv5}), node name or tensor name. Not needed for a class target. */
    public OcclusionRequest layer(String nameOrAlias) {
        return new OcclusionRequest(model, options, shapes, nameOrAlias, window, stride, fill, batch, target, progress);
    }

    /** The window size k in pixels: odd and positive. */
    public OcclusionRequest window(int k) {
        return new OcclusionRequest(model, options, shapes, layer, k, stride, fill, batch, target, progress);
    }

    /** The distance s between windows in pixels: positive. */
    public OcclusionRequest stride(int s) {
        return new OcclusionRequest(model, options, shapes, layer, window, s, fill, batch, target, progress);
    }

    /** What the window is painted with (default: the input's mean). */
    public OcclusionRequest fill(Fill f) {
        return new OcclusionRequest(model, options, shapes, layer, window, stride, f, batch, target, progress);
    }

    /**
     * How many occluded images run per ONNX Runtime call; 0 (the default) picks from the layer's
     * size. A batch above what fits in memory is cut down to it ({@link #batchPlan}).
     */
    public OcclusionRequest batch(int images) {
        return new OcclusionRequest(model, options, shapes, layer, window, stride, fill, images, target, progress);
    }

    /** Score occlusion of this target instead of layer occlusion; null returns to layer occlusion. */
    public OcclusionRequest target(Target t) {
        return new OcclusionRequest(model, options, shapes, layer, window, stride, fill, batch, t, progress);
    }

    /** Told after every batch how many windows are done. */
    public OcclusionRequest progress(OcclusionProgress listener) {
        return new OcclusionRequest(model, options, shapes, layer, window, stride, fill, batch, target,
                listener == null ? OcclusionProgress.NONE : listener);
    }

    public Optional<String> layerName() {
        return Optional.ofNullable(layer);
    }

    public int windowSize() {
        return window;
    }

    public int strideSize() {
        return stride;
    }

    public Fill fillKind() {
        return fill;
    }

    /** The requested batch (0: automatic). */
    public int batchSize() {
        return batch;
    }

    public Optional<Target> targetScore() {
        return Optional.ofNullable(target);
    }

    /** Runs the request on one input image {@code [1, C, H, W]}. */
    public OcclusionResult run(INDArray input) {
        return run(TensorValue.of(inputName(), input));
    }

    /** Runs the request on one input image {@code [1, C, H, W]}. */
    public OcclusionResult run(TensorValue input) {
        validateSettings();
        long[] inputShape = checkInput(input);
        long t0 = System.nanoTime();
        Layer watched = watchedLayer();
        try (TruncatedForward forward = TruncatedForward.open(model, watched.tensor(), inputShape, options)) {
            long[] targetShape = forward.outputShape();
            BatchPlan plan = plan(inputShape, watched, targetShape, probedShapes(watched, inputShape));
            Occluder occluder = new Occluder(input, fill);
            if (target == null) {
                return layerOcclusion(forward, occluder, watched, targetShape, plan, t0);
            }
            return scoreOcclusion(forward, occluder, watched, targetShape, plan, t0);
        }
    }

    /**
     * The batch a run on {@code input} would use, without occluding anything: the requested (or
     * default) batch cut down to what fits in {@link #MEMORY_BUDGET}, a quarter of the Java heap and
     * one Java array. Lets a caller say so before a long run; {@link #run} plans the same way. Fails
     * as {@link #run} would for settings, a layer or a target that do not fit the model.
     */
    public BatchPlan batchPlan(TensorValue input) {
        validateSettings();
        long[] inputShape = checkInput(input);
        Layer watched = watchedLayer();
        Map<String, long[]> probed = probedShapes(watched, inputShape);
        long[] targetShape = targetShape(watched, inputShape, probed);
        if (target != null) {
            scoreReader(targetShape); // a class or neuron target that does not exist fails here already
        }
        return plan(inputShape, watched, targetShape, probed);
    }

    private BatchPlan plan(long[] inputShape, Layer watched, long[] targetShape, Map<String, long[]> probed) {
        if (Sweep.count(targetShape) > BatchPlan.MAX_ARRAY) {
            throw new BadRequestException("layer '" + watched.tensor() + "' has shape " + Arrays.toString(targetShape)
                    + ", more values per image than one Java array holds");
        }
        long heap = Runtime.getRuntime().maxMemory();
        long heapBudget = heap == Long.MAX_VALUE ? MEMORY_BUDGET : heap / 4;
        return BatchPlan.of(batch, inputShape, targetShape, probed, MEMORY_BUDGET, heapBudget);
    }

    /** The shapes of every tensor the watched one depends on; empty when they cannot be probed. */
    private Map<String, long[]> probedShapes(Layer watched, long[] inputShape) {
        try {
            return shapes.shapes(watched.tensor(), inputShape);
        } catch (EngineException | ModelRefusedException e) {
            return Map.of(); // the plan then counts the input and the target alone
        }
    }

    /**
     * Checks the request and the input without occluding anything and returns the shape of the
     * watched tensor for one image (the model output for a class target), e.g. to check channel
     * numbers before a long run.
     */
    public long[] layerShape(TensorValue input) {
        validateSettings();
        long[] inputShape = checkInput(input);
        Layer watched = watchedLayer();
        return targetShape(watched, inputShape, probedShapes(watched, inputShape));
    }

    /** The watched tensor's shape: probed (cached by a shared engine), else from a truncated session. */
    private long[] targetShape(Layer watched, long[] inputShape, Map<String, long[]> probed) {
        long[] probedShape = probed.get(watched.tensor());
        if (probedShape != null) {
            return probedShape.clone();
        }
        try (TruncatedForward forward = TruncatedForward.open(model, watched.tensor(), inputShape, options)) {
            return forward.outputShape();
        }
    }

    private OcclusionResult layerOcclusion(TruncatedForward forward, Occluder occluder, Layer watched,
            long[] targetShape, BatchPlan plan, long t0) {
        if (targetShape.length < 2) {
            throw new BadRequestException("layer '" + layer + "' has shape " + Arrays.toString(targetShape)
                    + "; layer occlusion needs a channel axis");
        }
        WindowGrid grid = WindowGrid.centred(occluder.height(), occluder.width(), window, stride);
        ChannelNorms norms = new ChannelNorms(targetShape);
        double[] base = norms.of(forward.run(occluder.original(), 1), 0);
        int channels = norms.channels();
        int cells = grid.count();
        float[] change = new float[channels * cells];
        Sweep.run(forward, occluder, grid, plan.images(), progress, (w, outputs, offset) -> {
            double[] n = norms.of(outputs, offset);
            for (int c = 0; c < channels; c++) {
                change[c * cells + w] = (float) (n[c] - base[c]);
            }
        });
        TensorValue values = new TensorValue("occlusion", new long[] {channels, grid.rows(), grid.cols()}, change);
        return new OcclusionResult(this, watched, values, grid.count(), plan, forward.batchable(), elapsed(t0));
    }

    private OcclusionResult scoreOcclusion(TruncatedForward forward, Occluder occluder, Layer watched,
            long[] targetShape, BatchPlan plan, long t0) {
        ScoreReader reader = scoreReader(targetShape);
        int h = occluder.height();
        int w = occluder.width();
        WindowGrid grid = WindowGrid.cornerAligned(h, w, window, stride);
        double base = reader.score(forward.run(occluder.original(), 1), 0);
        double[] sum = new double[h * w];
        int[] covered = new int[h * w];
        Sweep.run(forward, occluder, grid, plan.images(), progress, (k, outputs, offset) -> {
            double drop = base - reader.score(outputs, offset);
            WindowGrid.Window win = grid.window(k);
            for (int y = win.top(); y < win.bottom(); y++) {
                for (int x = win.left(); x < win.right(); x++) {
                    sum[y * w + x] += drop;
                    covered[y * w + x]++;
                }
            }
        });
        float[] map = new float[h * w];
        for (int p = 0; p < map.length; p++) {
            map[p] = covered[p] == 0 ? Float.NaN : (float) (sum[p] / covered[p]);
        }
        TensorValue values = new TensorValue("occlusion", new long[] {h, w}, map);
        return new OcclusionResult(this, watched, values, grid.count(), plan, forward.batchable(), elapsed(t0));
    }

    private ScoreReader scoreReader(long[] shape) {
        long total = Sweep.count(shape);
        if (target instanceof Target.ClassScore c) {
            if (shape.length < 2 || total != shape[1]) {
                throw new BadRequestException("the model output has shape " + Arrays.toString(shape)
                        + "; class targets need an output [1, K]");
            }
            return new ScoreReader(ClassLabels.resolve(model, c.classKey(), (int) shape[1]), 1);
        }
        Target.NeuronScore n = (Target.NeuronScore) target;
        if (shape.length < 2) {
            throw new BadRequestException("layer '" + layer + "' has shape " + Arrays.toString(shape)
                    + "; neuron targets need a channel axis");
        }
        int channels = (int) shape[1];
        if (n.channel() >= channels) {
            throw new BadRequestException("neuron " + n.channel() + " does not exist in layer '" + layer
                    + "' (channels 0.." + (channels - 1) + ")");
        }
        int plane = (int) (total / channels);
        if (n.position().isEmpty()) {
            return new ScoreReader(n.channel() * plane, plane);
        }
        Target.GridPoint p = n.position().get();
        if (shape.length != 4) {
            throw new BadRequestException("a position needs a 4-D layer, '" + layer + "' has shape "
                    + Arrays.toString(shape));
        }
        if (p.y() >= shape[2] || p.x() >= shape[3]) {
            throw new BadRequestException("position " + p + " is outside layer '" + layer + "' (rows 0.."
                    + (shape[2] - 1) + ", columns 0.." + (shape[3] - 1) + ")");
        }
        return new ScoreReader((int) (n.channel() * plane + p.y() * shape[3] + p.x()), 1);
    }

    /** The default batch: as many images as keep a batch's input and target tensors under {@link #BATCH_BYTES}. */
    static int defaultBatch(long[] inputShape, long[] targetShape) {
        long perImage = Float.BYTES * Math.max(Sweep.count(inputShape), Sweep.count(targetShape));
        return (int) Math.max(1, Math.min(MAX_DEFAULT_BATCH, BATCH_BYTES / Math.max(1, perImage)));
    }

    private void validateSettings() {
        if (window <= 0 || window % 2 == 0) {
            throw new BadRequestException("window must be odd and positive, got " + window);
        }
        if (stride <= 0) {
            throw new BadRequestException("stride must be positive, got " + stride);
        }
        if (batch < 0) {
            throw new BadRequestException("batch must be positive (or 0 for automatic), got " + batch);
        }
        if (layer == null && !(target instanceof Target.ClassScore)) {
            throw new BadRequestException("no layer given");
        }
    }

    private Layer watchedLayer() {
        if (target instanceof Target.ClassScore) {
            List<ValueInfo> outputs = model.graph().outputs();
            if (outputs.isEmpty()) {
                throw new BadRequestException(model.fileName() + ": the model has no output for a class target");
            }
            return model.graph().layer(outputs.get(0).name());
        }
        return model.graph().layer(layer);
    }

    private long[] checkInput(TensorValue input) {
        long[] shape = input.shape();
        if (shape.length != 4 || shape[0] != 1) {
            throw new BadRequestException("occlusion needs one input image [1, C, H, W], got shape "
                    + Arrays.toString(shape));
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
                throw new BadRequestException("input shape " + Arrays.toString(shape) + " does not fit the model's input "
                        + inputs.get(0).name() + " " + dims);
            }
        }
        return shape;
    }

    private String inputName() {
        List<ValueInfo> inputs = model.graph().inputs();
        return inputs.isEmpty() ? "input" : inputs.get(0).name();
    }

    private static Duration elapsed(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Override
    public String toString() {
        return "occlusion(" + (target == null ? "layer " + layer : target + (layer == null ? "" : " of " + layer))
                + ", window " + window + ", stride " + stride + ", fill " + fill + ")";
    }
}
