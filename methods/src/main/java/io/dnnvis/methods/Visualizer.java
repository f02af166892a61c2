package io.dnnvis.methods;

import io.dnnvis.methods.attribution.Attribution;
import io.dnnvis.methods.attribution.AttributionRequest;
import io.dnnvis.methods.attribution.Explainer;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.OutputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.occlusion.OcclusionBuilder;
import io.dnnvis.methods.occlusion.OcclusionEngine;
import io.dnnvis.methods.occlusion.OcclusionRequest;
import io.dnnvis.methods.occlusion.OcclusionResult;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import io.dnnvis.trace.backward.BackwardEngine;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The entry point of the library: a model opened for visualization.
 *
 * <pre>{@code
 * try (Visualizer vis = Visualizer.open(Path.of("alexnet.onnx"))) {
 *     Reconstruction r = vis.desalinet().layer("conv4").neurons(10).run(input);
 *     INDArray a = r.values();   // [1, 3, H, W]
 * }
 * }</pre>
 *
 * <p>Requests are values ({@link BackwardRequest}, {@link OcclusionRequest}), built fluently from
 * {@link #desalinet()} etc. and {@link #occlusion()} or made directly and passed to {@code run};
 * results hold their values and stay usable after {@link #close()}.
 *
 * <p>Thread-safe: requests may run from many threads at once; compiled and truncated sessions are
 * shared. Closing waits for runs in flight.
 */
public final class Visualizer implements AutoCloseable {

    private final OnnxModel model;
    private final BackwardEngine backward;
    private final Reconstructor reconstructor;
    private final TargetReconstructor targets;
    private final OcclusionEngine occlusion;
    private final Explainer explainer;
    private final InputLayout layout;
    private final EngineOptions options;

    private Visualizer(OnnxModel model, EngineOptions options, InputLayout layout) {
        this.model = model;
        this.options = options;
        this.layout = layout;
        this.backward = BackwardEngine.open(model, options);
        this.reconstructor = new Reconstructor(model.graph(), backward, layout);
        this.targets = new TargetReconstructor(model, backward, layout);
        this.occlusion = OcclusionEngine.open(model, backward::shapes, backward.forwardPasses(), layout);
        this.explainer = Explainer.on(model, backward, layout,
                new io.dnnvis.methods.attribution.GradientRules(SaliNet.RULES, BackwardMethod.DESALINET::rules));
    }

    public static Visualizer open(Path modelFile) {
        return open(OnnxModel.load(modelFile), EngineOptions.defaults());
    }

    public static Visualizer open(Path modelFile, EngineOptions options) {
        return open(OnnxModel.load(modelFile), options);
    }

    /** {@code model} opened for visualization, its input's layout {@link InputLayout#of decided from the graph}. */
    public static Visualizer open(OnnxModel model, EngineOptions options) {
        return new Visualizer(model, options, InputLayout.of(model));
    }

    /**
     * {@code model} opened for visualization, its input laid out as {@code layout} (e.g. to
     * override what the graph suggests; {@link InputLayout#resolve} checks it against the model).
     */
    public static Visualizer open(OnnxModel model, EngineOptions options, InputLayout layout) {
        return new Visualizer(model, options, java.util.Objects.requireNonNull(layout, "layout"));
    }

    public OnnxModel model() {
        return model;
    }

    /**
     * Where the model's input keeps its channels. Inputs are given in this layout (as the model
     * declares them); reconstructions come out NCHW {@code [B, C, H, W]} whatever it is.
     */
    public InputLayout layout() {
        return layout;
    }

    /** The options this model's engine was opened with. */
    public EngineOptions options() {
        return options;
    }

    /** The forward tracer of this model (predictions, activations). */
    public Tracer tracer() {
        return backward.tracer();
    }

    BackwardEngine engine() {
        return backward;
    }

    public BackwardBuilder deconvnet() {
        return method(BackwardMethod.DECONVNET);
    }

    public BackwardBuilder salinet() {
        return method(BackwardMethod.SALINET);
    }

    public BackwardBuilder desalinet() {
        return method(BackwardMethod.DESALINET);
    }

    public BackwardBuilder method(BackwardMethod method) {
        return BackwardBuilder.on(this, method);
    }

    /**
     * Runs a backward-net request on one input image in the model's {@link #layout()} ({@code [1, C, H, W]}
     * or {@code [1, H, W, C]}); the reconstructions are NCHW {@code [B, C, H, W]} either way.
     */
    public Reconstruction run(BackwardRequest request, TensorValue input) {
        return reconstructor.run(request, input);
    }

    /**
     * Fails as {@link #run(BackwardRequest, TensorValue)} would on {@code input} for a missing layer,
     * neuron or position, without running anything but the (cached) shape probe: lets a caller
     * refuse a request before other work.
     */
    public void check(BackwardRequest request, TensorValue input) {
        reconstructor.check(request, input);
    }

    /**
     * Runs a target request on one input image {@code [1, C, H, W]}: one reconstruction
     * {@code [1, C, H, W]} of the gradient of the target's score (SaliNet: exactly that gradient).
     */
    public Reconstruction run(TargetRequest request, TensorValue input) {
        return targets.run(request, input);
    }

    /**
     * Fails as {@link #run(TargetRequest, TensorValue)} would for a target that does not exist in
     * its tensor or whose gradient is zero everywhere, running only the (cached) shape probe; returns
     * the resolved target (its tensor and selected elements).
     */
    public io.dnnvis.methods.core.TargetSelection check(TargetRequest request, TensorValue input) {
        return targets.check(request, input);
    }

    /**
     * An occlusion request on this model (layer occlusion, or score occlusion with a target):
     * {@code vis.occlusion().layer("conv5").window(15).stride(8).run(input)}.
     */
    public OcclusionBuilder occlusion() {
        return occlusion.builder();
    }

    /** Runs an occlusion request on one input image in the model's {@link #layout()}. */
    public OcclusionResult run(OcclusionRequest request, TensorValue input) {
        return occlusion.run(request, input);
    }

    /**
     * Runs a class attribution request (Grad-CAM and its family, Guided Grad-CAM, saliency,
     * Input×Gradient, Integrated Gradients, SmoothGrad) on one input image in the model's
     * {@link #layout()}: {@code vis.explain(CamRequest.of(CamMethod.GRADCAM, "relu5"), input)}.
     */
    public Attribution explain(AttributionRequest request, TensorValue input) {
        return explainer.run(request, input);
    }

    /**
     * Runs a class attribution request on several input images, in order; the methods of one
     * gradient (the CAMs, Guided Grad-CAM, saliency, Input×Gradient) run them as batches in one
     * backward run where the model's batch axis is open.
     */
    public java.util.List<Attribution> explain(AttributionRequest request, java.util.List<TensorValue> inputs) {
        return explainer.run(request, inputs);
    }

    /**
     * As {@link #explain(AttributionRequest, java.util.List)}, telling {@code progress} how many
     * gradients of Integrated Gradients and SmoothGrad (points × images) are done after each run.
     */
    public java.util.List<Attribution> explain(AttributionRequest request, java.util.List<TensorValue> inputs,
            io.dnnvis.methods.attribution.ExplainProgress progress) {
        return explainer.run(request, inputs, progress);
    }

    /**
     * Fails as {@link #explain} would for a layer, target or baseline that does not fit, running only
     * shape probes (and for target {@code top} one forward pass); returns the resolved target.
     */
    public io.dnnvis.methods.core.TargetSelection check(AttributionRequest request, TensorValue input) {
        return explainer.check(request, input);
    }

    /**
     * The layer class activation maps use when none is named: the last 4-D layer {@code [1, C, h, w]}
     * with more than one position on the way to the first output (its alias where it has one).
     */
    public String defaultCamLayer(TensorValue input) {
        return explainer.defaultCamLayer(input);
    }

    /**
     * The axes of {@code tensor} that hold the image's rows and columns, {@code [row, col]}, at an input
     * of {@code inputShape} in the model's {@link #layout()}; empty where the graph loses them
     * ({@link io.dnnvis.methods.core.ImageAxes}). A layer with its channels last gives {@code [1, 2]}.
     */
    public Optional<int[]> imageAxes(String tensor, long[] inputShape) {
        return io.dnnvis.methods.core.ImageAxes.of(model().graph(), shapes(inputShape),
                model().graph().inputs().get(0).name(), layout().heightAxis(), layout().widthAxis(), tensor);
    }

    /**
     * Where the model's first output holds the images, classes and positions at an input of
     * {@code inputShape} (one image) in the model's {@link #layout()}.
     *
     * @throws BadRequestException where the output holds no class scores that predictions can read
     */
    public OutputLayout outputLayout(long[] inputShape) {
        return OutputLayout.of(model().graph(), shapes(inputShape), layout(),
                model().graph().outputs().get(0).name());
    }

    /** The shapes of the graph's tensors, the input's included, at an input of {@code inputShape}. */
    public java.util.Map<String, long[]> shapes(long[] inputShape) {
        String input = model().graph().inputs().get(0).name();
        java.util.Map<String, long[]> shapes = new java.util.HashMap<>(tracer().shapes(java.util.Map.of(input,
                inputShape)));
        shapes.put(input, inputShape);
        return shapes;
    }

    /** The layer class activation maps use on the way to {@code target}'s output (see {@link #defaultCamLayer}). */
    public String defaultCamLayer(TensorValue input, Optional<Target> target) {
        Optional<String> output = target.flatMap(t -> t instanceof Target.ClassScore c ? c.output()
                : t instanceof Target.OutputElement e ? Optional.of(e.output()) : Optional.empty());
        return explainer.defaultCamLayer(input, output);
    }

    /** Closes the occlusion and backward sessions; waits for runs in flight. */
    @Override
    public void close() {
        try {
            occlusion.close();
        } finally {
            backward.close();
        }
    }
}
