package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ChannelAxis;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.OutputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardEngine;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Runs attribution requests on the compiled backward engine of one model (made by the
 * {@code Visualizer}); thread-safe as the engine is. Inputs are one image in the model's layout;
 * input-space results are NCHW.
 */
public final class Explainer {

    /**
     * Draws SmoothGrad's noise: sample {@code k} of {@code count} values in NCHW order, standard
     * deviation {@code sigma}.
     */
    interface NoiseSource {
        float[] sample(int k, int count, double sigma);
    }

    private final OnnxModel model;
    private final BackwardEngine engine;
    private final InputLayout layout;
    private final GradientRunner gradients;
    private final PathGradients paths;
    private final GradientRules rules;

    private Explainer(OnnxModel model, BackwardEngine engine, InputLayout layout, GradientRules rules,
            int maxBatch) {
        this.model = model;
        this.engine = engine;
        this.layout = layout;
        this.rules = rules;
        this.gradients = new GradientRunner(model, engine, maxBatch);
        this.paths = new PathGradients(gradients, rules.gradient());
    }

    /** An explainer on {@code engine} with {@code rules}, inputs laid out as {@code layout}. */
    public static Explainer on(OnnxModel model, BackwardEngine engine, InputLayout layout, GradientRules rules) {
        return new Explainer(model, engine, layout, rules, BackwardEngine.MAX_BATCH);
    }

    /** As {@link #on}, running at most {@code maxBatch} inputs per backward run (1: one at a time). */
    static Explainer on(OnnxModel model, BackwardEngine engine, InputLayout layout, GradientRules rules,
            int maxBatch) {
        return new Explainer(model, engine, layout, rules, maxBatch);
    }

    /** Runs {@code request} on one image {@code [1, ...]} in the model's layout. */
    public Attribution run(AttributionRequest request, TensorValue input) {
        return run(request, List.of(input)).get(0);
    }

    /**
     * Runs {@code request} on several images {@code [1, ...]}, in order: the methods of one gradient
     * (CAMs, Guided Grad-CAM, saliency, Input×Gradient) run the images as batches in one backward
     * run where the model's batch axis is open; Integrated Gradients and SmoothGrad batch their
     * points per image.
     */
    public List<Attribution> run(AttributionRequest request, List<TensorValue> inputs) {
        return run(request, inputs, ExplainProgress.NONE);
    }

    /**
     * As {@link #run(AttributionRequest, List)}, telling {@code progress} after each backward run of
     * Integrated Gradients and SmoothGrad how many of their gradients (points × images) are done.
     */
    public List<Attribution> run(AttributionRequest request, List<TensorValue> inputs, ExplainProgress progress) {
        List<TargetSelection> targets = new java.util.ArrayList<>();
        for (TensorValue input : inputs) {
            targets.add(check(request, input));
        }
        if (request instanceof CamRequest r) {
            return cams(r, targets, inputs);
        }
        if (request instanceof GuidedGradCamRequest r) {
            return guidedGradCams(r, targets, inputs);
        }
        if (request instanceof GradientRequest r) {
            return gradients(r, targets, inputs);
        }
        List<Attribution> out = new java.util.ArrayList<>();
        // every quadrature has one point per step
        int perImage = request instanceof IntegratedGradientsRequest r ? r.steps()
                : ((SmoothGradRequest) request).samples();
        long total = (long) perImage * inputs.size();
        long[] done = {0};
        IntConsumer ran = n -> progress.gradientsDone(done[0] += n, total);
        for (int i = 0; i < inputs.size(); i++) {
            if (request instanceof IntegratedGradientsRequest r) {
                out.add(integratedGradients(r, targets.get(i), inputs.get(i), ran));
            } else {
                SmoothGradRequest r = (SmoothGradRequest) request;
                out.add(smoothGrad(r, targets.get(i), inputs.get(i), seededGaussian(r.seed()), ran));
            }
        }
        return out;
    }

    /**
     * Fails as {@link #run} would for a layer, target or baseline that does not fit, running only
     * shape probes (and, for {@code top}, one forward pass); returns the resolved target.
     */
    public TargetSelection check(AttributionRequest request, TensorValue input) {
        requireImage(input);
        String camLayer = null;
        if (request instanceof CamRequest r) {
            camLayer = r.layer();
        } else if (request instanceof GuidedGradCamRequest r) {
            camLayer = r.layer();
        } else if (request instanceof IntegratedGradientsRequest r) {
            r.baseline().values(input, layout);
        }
        String layerTensor = camLayer == null ? null : camLayer(camLayer, input);
        TargetSelection target = resolve(request.target(), input);
        if (target.tensor().equals(layerTensor)) {
            throw new BadRequestException("layer '" + camLayer + "' holds the target " + target.target()
                    + " itself: a class activation map needs a layer before it");
        }
        return target;
    }

    // --- targets ---

    private TargetSelection resolve(Optional<Target> given, TensorValue input) {
        Target target = given.orElseGet(() -> topClass(input));
        String tensor = TargetSelection.tensorOf(model, target, null);
        Layer layer = model.graph().layerOfTensor(tensor);
        String name = layer.alias().isEmpty() ? tensor : layer.alias();
        return TargetSelection.resolve(model, target, name, tensor, engine.shapes(tensor, input.shape()), layout);
    }

    /** {@code class:K} for the largest score of the model's first output, which must be one score per class. */
    private Target topClass(TensorValue input) {
        List<ValueInfo> outputs = model.graph().outputs();
        if (outputs.isEmpty()) {
            throw new BadRequestException(model.fileName() + ": the model has no output for target top");
        }
        String tensor = model.graph().tensor(outputs.get(0).name());
        TensorValue scores = gradients.forward(tensor, input);
        long[] shape = scores.shape();
        if (shape.length < 2 || shape[0] != 1 || !OutputLayout.isClassVector(shape)) {
            throw new BadRequestException(model.fileName() + ": target top needs an output of one score per class "
                    + "[1, K]; '" + outputs.get(0).name() + "' is " + Arrays.toString(shape)
                    + " (give class:K, with --region or output:NAME[...])");
        }
        float[] v = scores.data();
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            if (v[k] > v[best]) {
                best = k;
            }
        }
        return Target.classIndex(best);
    }

    // --- CAMs ---

    /**
     * The layer CAMs use when none is named: the last 4-D tensor {@code [1, C, h, w]} with more than
     * one position on the way to the model's first output that no pooling made, that is not a
     * model output and that holds its channels on axis 1 ({@link ChannelAxis}: not a TensorFlow
     * export's channels-last tensor) (for a CNN classifier, the last convolutional block's output
     * before it is pooled; for a segmentation model, the last map before the output); its alias where
     * it has one.
     *
     * @throws BadRequestException when the model has no such layer
     */
    public String defaultCamLayer(TensorValue input) {
        return defaultCamLayer(input, Optional.empty());
    }

    /**
     * As {@link #defaultCamLayer(TensorValue)}, on the way to {@code output} (a model output or any
     * tensor by name; the first output when empty): the target's output where it names one.
     */
    public String defaultCamLayer(TensorValue input, Optional<String> output) {
        requireImage(input);
        List<ValueInfo> outputs = model.graph().outputs();
        if (outputs.isEmpty()) {
            throw new BadRequestException(model.fileName() + ": the model has no output");
        }
        String scored = output.map(o -> model.graph().layer(o).tensor())
                .orElse(model.graph().tensor(outputs.get(0).name()));
        java.util.Map<String, long[]> shapes = engine.shapes(scored, input.shape());
        String found = null;
        java.util.Set<String> modelOutputs = new java.util.HashSet<>();
        outputs.forEach(o -> modelOutputs.add(model.graph().tensor(o.name())));
        boolean singlePositions = false;
        java.util.Map<String, int[]> imageAxes = ChannelAxis.imageAxes(model.graph(), shapes, layout);
        for (io.dnnvis.onnx.Node node : model.graph().nodes()) {
            long[] shape = shapes.get(node.output());
            boolean pooling = node.opType().endsWith("Pool") || modelOutputs.contains(node.output())
                    || padForAPool(node); // PyTorch's avg_pool2d(padding=p): Pad, then AveragePool
            if (shape != null && !pooling && shape.length == 4 && shape[0] == 1
                    && ChannelAxis.misplaced(imageAxes, node.output()).isEmpty()) {
                if (shape[2] * shape[3] > 1) {
                    found = node.alias().isEmpty() ? node.output() : node.alias();
                } else {
                    singlePositions = true;
                }
            }
        }
        if (found == null) {
            throw new BadRequestException(model.fileName() + ": no 4-D layer [1, C, h, w] for a class activation map "
                    + "before the output" + (singlePositions ? " with more than one position at this input size "
                    + java.util.Arrays.toString(input.shape()) : "") + "; give --layer");
        }
        return found;
    }

    /** Whether {@code node} is a Pad whose only readers are pools: a padded copy of its input, part of the pooling. */
    private boolean padForAPool(io.dnnvis.onnx.Node node) {
        List<io.dnnvis.onnx.Node> readers = model.graph().consumers(node.output());
        return node.opType().equals("Pad") && !readers.isEmpty()
                && readers.stream().allMatch(r -> r.opType().endsWith("Pool"));
    }

    /** The CAM layer's tensor, which must be 4-D {@code [1, C, h, w]}, its channels on axis 1. */
    private String camLayer(String name, TensorValue input) {
        String tensor = model.graph().layer(name).tensor();
        java.util.Map<String, long[]> shapes = engine.shapes(tensor, input.shape());
        long[] shape = shapes.get(tensor);
        if (shape.length != 4) {
            throw new BadRequestException("layer '" + name + "' is " + Arrays.toString(shape)
                    + ": class activation maps need a 4-D layer [1, C, h, w]");
        }
        ChannelAxis.requireFirst(model.graph(), shapes, layout, tensor, "'" + name + "'",
                "class activation maps weigh the channels on axis 1");
        return tensor;
    }

    private List<Attribution> cams(CamRequest r, List<TargetSelection> targets, List<TensorValue> inputs) {
        List<CamMap> maps = camMaps(r.cam(), r.layer(), targets, inputs);
        List<Attribution> out = new java.util.ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            CamMap map = maps.get(i);
            TensorValue input = inputs.get(i);
            TensorValue values = r.resolution() == CamResolution.LAYER ? map.atLayer()
                    : map.atInput(inputHeight(input), inputWidth(input));
            out.add(new Attribution(r, targets.get(i), map.score(), values, OptionalDouble.empty()));
        }
        return out;
    }

    /** The CAM of each image, from the layer's value and gradient of one run (batched over the images). */
    private List<CamMap> camMaps(CamMethod method, String layerName, List<TargetSelection> targets,
            List<TensorValue> inputs) {
        String tensor = camLayer(layerName, inputs.get(0));
        List<GradientRunner.Outcome> outcomes = gradients.runAll(inputs, targets, Optional.of(tensor),
                rules.gradient());
        List<CamMap> maps = new java.util.ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            GradientRunner.Outcome g = outcomes.get(i);
            TensorValue a = g.value() != null ? g.value() : gradients.forward(tensor, inputs.get(i));
            long[] shape = a.shape();
            int channels = (int) shape[1];
            int height = (int) shape[2];
            int width = (int) shape[3];
            maps.add(new CamMap(method.map(a.data(), g.signal().data(), channels, height * width), height, width,
                    g.score()));
        }
        return maps;
    }

    private List<Attribution> guidedGradCams(GuidedGradCamRequest r, List<TargetSelection> targets,
            List<TensorValue> inputs) {
        List<CamMap> maps = camMaps(CamMethod.GRADCAM, r.layer(), targets, inputs);
        List<GradientRunner.Outcome> guided = gradients.runAll(inputs, targets, Optional.empty(),
                rules.guided().apply(r.gates()));
        List<Attribution> out = new java.util.ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            TensorValue input = inputs.get(i);
            int height = inputHeight(input);
            int width = inputWidth(input);
            float[] cam = maps.get(i).atInput(height, width).data();
            float[] g = nchw(guided.get(i).signal());
            int plane = height * width;
            for (int e = 0; e < g.length; e++) {
                g[e] *= cam[e % plane];
            }
            out.add(new Attribution(r, targets.get(i), guided.get(i).score(),
                    TensorValue.owning("guided-gradcam", nchwShape(input), g), OptionalDouble.empty()));
        }
        return out;
    }

    // --- gradients at the input ---

    private List<Attribution> gradients(GradientRequest r, List<TargetSelection> targets, List<TensorValue> inputs) {
        List<GradientRunner.Outcome> outcomes = gradients.runAll(inputs, targets, Optional.empty(), rules.gradient());
        List<Attribution> out = new java.util.ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            out.add(gradient(r, targets.get(i), inputs.get(i), outcomes.get(i)));
        }
        return out;
    }

    private Attribution gradient(GradientRequest r, TargetSelection target, TensorValue input,
            GradientRunner.Outcome g) {
        float[] grad = nchw(g.signal());
        long[] shape = nchwShape(input);
        TensorValue values;
        if (r.kind() == GradientRequest.Kind.SALIENCY) {
            int channels = (int) shape[1];
            int plane = (int) (shape[2] * shape[3]);
            float[] map = new float[plane];
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    map[p] = Math.max(map[p], Math.abs(grad[c * plane + p]));
                }
            }
            values = TensorValue.owning("saliency", new long[] {1, shape[2], shape[3]}, map);
        } else {
            float[] x = nchw(input);
            for (int i = 0; i < grad.length; i++) {
                grad[i] *= x[i];
            }
            values = TensorValue.owning("input-x-gradient", shape, grad);
        }
        return new Attribution(r, target, g.score(), values, OptionalDouble.empty());
    }

    private Attribution integratedGradients(IntegratedGradientsRequest r, TargetSelection target, TensorValue input,
            IntConsumer ran) {
        float[] x = input.data();
        float[] b = r.baseline().values(input, layout);
        Quadrature.Points points = r.quadrature().points(r.steps());
        double[] alphas = points.alphas();
        double[] weights = points.weights();
        double[] sum = new double[x.length];
        paths.run(input, target, alphas.length, i -> {
            float alpha = (float) alphas[i];
            float[] point = new float[x.length];
            for (int e = 0; e < x.length; e++) {
                point[e] = b[e] + alpha * (x[e] - b[e]);
            }
            return point;
        }, (i, g) -> {
            for (int e = 0; e < x.length; e++) {
                sum[e] += weights[i] * g[e];
            }
        }, ran);
        float[] attribution = new float[x.length];
        double total = 0;
        for (int e = 0; e < x.length; e++) {
            attribution[e] = (float) ((x[e] - b[e]) * sum[e]);
            total += attribution[e];
        }
        double scoreX = target.score(gradients.forward(target.tensor(), input).data(), 0);
        double scoreB = target.score(gradients.forward(target.tensor(),
                TensorValue.owning(input.name(), input.shape(), b)).data(), 0);
        TensorValue values = TensorValue.owning("integrated-gradients", nchwShape(input),
                layout.toNchw(attribution, input.shape()));
        return new Attribution(r, target, scoreX, values, OptionalDouble.of(total - (scoreX - scoreB)));
    }

    /** SmoothGrad with the noise drawn by {@code noise} (tests inject a fixed noise tensor). */
    Attribution smoothGrad(SmoothGradRequest r, TargetSelection target, TensorValue input, NoiseSource noise) {
        return smoothGrad(r, target, input, noise, n -> { });
    }

    private Attribution smoothGrad(SmoothGradRequest r, TargetSelection target, TensorValue input, NoiseSource noise,
            IntConsumer ran) {
        float[] x = input.data();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double sigma = r.noise() * ((double) max - min);
        double[] sum = new double[x.length];
        double[] squares = new double[x.length];
        paths.run(input, target, r.samples(), k -> {
            // drawn in NCHW order, so that an NHWC model and its NCHW twin see the same noise
            float[] e = layout.fromNchw(noise.sample(k, x.length, sigma), nchwShape(input));
            float[] noisy = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                noisy[i] = x[i] + e[i];
            }
            return noisy;
        }, (k, g) -> {
            for (int i = 0; i < x.length; i++) {
                double v = g[i];
                sum[i] += v;
                squares[i] += v * v;
            }
        }, ran);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = r.mode().combine(sum[i], squares[i], r.samples());
        }
        double score = target.score(gradients.forward(target.tensor(), input).data(), 0);
        return new Attribution(r, target, score, TensorValue.owning(r.mode().label(), nchwShape(input),
                layout.toNchw(out, input.shape())), OptionalDouble.empty());
    }

    /** Gaussian noise from a generator seeded with {@code seed}: the same seed, the same noise. */
    static NoiseSource seededGaussian(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return (k, count, sigma) -> gaussianNoise(random, count, sigma);
    }

    private static float[] gaussianNoise(SplittableRandom random, int count, double sigma) {
        float[] e = new float[count];
        for (int i = 0; i < count; i++) {
            e[i] = (float) (random.nextGaussian() * sigma);
        }
        return e;
    }

    // --- layout ---

    private void requireImage(TensorValue input) {
        if (input.rank() != 4 || input.shape()[0] != 1) {
            throw new BadRequestException("attribution takes one image [1, C, H, W] (or [1, H, W, C]), got "
                    + Arrays.toString(input.shape()));
        }
    }

    private float[] nchw(TensorValue v) {
        return layout.toNchw(v.data(), v.shape());
    }

    private long[] nchwShape(TensorValue input) {
        return layout.toNchwShape(input.shape());
    }

    private int inputHeight(TensorValue input) {
        return layout.height(input.shape());
    }

    private int inputWidth(TensorValue input) {
        return layout.width(input.shape());
    }
}
