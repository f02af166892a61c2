package io.dnnvis.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.attribution.Attribution;
import io.dnnvis.methods.attribution.AttributionRequest;
import io.dnnvis.methods.attribution.Baseline;
import io.dnnvis.methods.attribution.CamResolution;
import io.dnnvis.methods.attribution.IntegratedGradientsRequest;
import io.dnnvis.methods.attribution.Quadrature;
import io.dnnvis.methods.attribution.SmoothGradRequest;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dnnvis explain}: class attribution (Grad-CAM family, Guided Grad-CAM, saliency, IG, SmoothGrad). */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Why does the model give this score? Class attribution on the exact gradients of the ONNX graph.",
            "The score is the raw model output at the target (no softmax); --target top (the default) takes each "
                    + "image's top class.",
            "Results (--save-npy, float32, NCHW whatever the model's layout): CAMs [N,h,w] at the layer, or [N,H,W] "
                    + "with --resolution input (normalised to 0..1, resized bilinearly); saliency [N,H,W]; "
                    + "guided-gradcam, input-x-gradient, integrated-gradients and smoothgrad [N,C,H,W]."
        })
final class ExplainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
    Path modelFile;

    /** Images, or one tensor. */
    static final class Sources {
        @Option(names = "--image", arity = "1..*", paramLabel = "FILE",
                description = "Input images (PNG, JPEG, BMP, GIF or TIFF); several run as batches where the model's batch axis is open.")
        List<Path> images;

        @Option(names = "--input-npy", paramLabel = "FILE",
                description = "Input tensor as .npy (" + Npy.ACCEPTED + "), laid out as the model declares its input; "
                        + "a batch [N,...] is N images.")
        Path npy;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Sources source;

    @Mixin
    PreprocessOptions preprocessing;

    @Option(names = "--method", required = true, paramLabel = "METHOD",
            description = "One of " + ExplainMethod.NAMES + " (all: a figure of the input beside Grad-CAM, Guided "
                    + "Grad-CAM, saliency and Integrated Gradients).")
    ExplainMethod method;

    @Option(names = "--target", defaultValue = "top", paramLabel = "TARGET",
            description = "top (each image's top class; default) or a target as in visualize: class:K, class:LABEL, "
                    + "class:K@t, output:NAME[i,...].")
    String targetText;

    @Mixin
    TargetOptions targetOptions;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "The CAM layer, a 4-D tensor [1,C,h,w]: alias, node or tensor name (default: the last such "
                    + "layer before the output).")
    String layer;

    @Option(names = "--resolution", defaultValue = "layer", paramLabel = "layer|input",
            description = "CAMs at the layer's size, or normalised and resized to the input (default: ${DEFAULT-VALUE}).")
    CamResolution resolution;

    @Option(names = "--steps", defaultValue = "" + IntegratedGradientsRequest.DEFAULT_STEPS, paramLabel = "N",
            description = "Integrated Gradients: gradient evaluations along the path (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--ig-method", defaultValue = "gausslegendre", paramLabel = "H",
            description = "Integrated Gradients' quadrature: gausslegendre, riemann-left, riemann-right, "
                    + "riemann-middle or riemann-trapezoid (Captum's; default: ${DEFAULT-VALUE}).")
    Quadrature quadrature;

    @Option(names = "--baseline", defaultValue = "zero", paramLabel = "B",
            description = "Integrated Gradients' start: zero, mean (each channel's mean), blur[:SIGMA] (Gaussian, "
                    + "SIGMA pixels; default an eighth of the smaller side) or a .npy of the input's shape "
                    + "(default: ${DEFAULT-VALUE}).")
    String baselineText;

    @Option(names = "--samples", defaultValue = "" + SmoothGradRequest.DEFAULT_SAMPLES, paramLabel = "N",
            description = "SmoothGrad: noisy samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--noise", defaultValue = "" + SmoothGradRequest.DEFAULT_NOISE, paramLabel = "F",
            description = "SmoothGrad: noise standard deviation as a fraction of the input's range, max - min "
                    + "(default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "SmoothGrad: seed of the noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--gates", defaultValue = "relu", paramLabel = "relu|all",
            description = "Guided Grad-CAM: the guided rule at Relu only, or at every gate (LeakyRelu, PRelu, "
                    + "ReLU6, HardSwish, SiLU, GELU: f'(x) times the positive part of the signal; README, \"Gates\") "
                    + "(default: ${DEFAULT-VALUE}).")
    io.dnnvis.methods.core.Gates gates;

    @Option(names = "--save-npy", paramLabel = "FILE", description = "Write the results of all images, float32, "
            + "stacked on the first axis (not with --method all).")
    Path saveNpy;

    @Option(names = "--json", description = "Print one JSON object: per image the target, its score and, for "
            + "Integrated Gradients, convergence_delta.")
    boolean json;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Write PNGs into DIR: each map over its image and alone, with a colour bar "
                    + "(--method all: one figure per image).")
    Path outputDir;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar (Integrated Gradients, SmoothGrad) and no "
            + "line per image.")
    boolean quiet;

    @Mixin
    HeatmapOptions heatmap;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (saveNpy == null && outputDir == null && !json) {
            throw new UserException("nothing to write: give --save-npy FILE, -o DIR or --json");
        }
        if (method == ExplainMethod.ALL && saveNpy != null) {
            throw new UserException("--save-npy takes the result of one method; --method all writes a figure (-o)");
        }
        Optional<Target> target = target();
        heatmap.style();
        Preflight.requireWritable(saveNpy == null ? List.of() : List.of(saveNpy), false, false, outputDir);
        OnnxModel model = common.loadModel(modelFile);
        List<ImageOptions.Loaded> inputs = load(model);
        if (outputDir != null) {
            inputs.forEach(ImageOptions.Loaded::requirePicturable);
        }
        List<Path> read = new ArrayList<>(List.of(modelFile));
        inputs.forEach(i -> read.add(i.file()));
        if (saveNpy != null) {
            OutputPaths.requireNotInput(saveNpy, read);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<List<Attribution>> results = new ArrayList<>();
        String camLayer;
        try (Visualizer vis = Visualizer.open(model, common.engineOptions(), inputs.get(0).layout())) {
            TensorValue first = inputs.get(0).tensor();
            camLayer = layer != null || !method.needsLayer() ? layer : vis.defaultCamLayer(first, target);
            ExplainMethod.Settings settings = new ExplainMethod.Settings(target, camLayer, resolution, steps,
                    quadrature, baseline(first), samples, noise, seed, gates);
            List<ExplainMethod> methods = method.expanded();
            List<AttributionRequest> requests = methods.stream().map(m -> m.request(settings)).toList();
            for (AttributionRequest r : requests) {
                vis.check(r, first); // refuses a bad layer, target or baseline before any run
            }
            List<TensorValue> tensors = inputs.stream().map(ImageOptions.Loaded::tensor).toList();
            inputs.forEach(i -> results.add(new ArrayList<>()));
            for (int m = 0; m < requests.size(); m++) {
                // batched where the model allows; the methods of many gradients draw a bar on a terminal
                List<Attribution> all = vis.explain(requests.get(m), tensors,
                        ProgressBar.explain(err, methods.get(m).label(), quiet));
                for (int i = 0; i < inputs.size(); i++) {
                    results.get(i).add(all.get(i));
                }
            }
            if (!quiet && !json) {
                for (int i = 0; i < inputs.size(); i++) {
                    for (Attribution a : results.get(i)) {
                        out.println(describe(inputs.get(i), a, camLayer));
                    }
                }
                out.flush();
            }
        }
        if (saveNpy != null) {
            TensorValue stacked = TensorValue.concatFirstAxis(results.stream().map(r -> r.get(0).tensor()).toList());
            OutputPaths.write(saveNpy, Npy.toBytes(stacked), read);
            if (!json) {
                out.printf("wrote %s %s%n", saveNpy, Arrays.toString(stacked.shape()));
            }
        }
        if (outputDir != null) {
            new ExplainPictures(heatmap, method, OutputPaths.folder(outputDir), read, json ? err : out)
                    .write(inputs, results, camLayer);
        }
        if (json) {
            out.println(Json.write(ExplainJson.of(modelFile, method, camLayer, inputs, results)));
        }
        out.flush();
        err.flush();
        return 0;
    }

    private Optional<Target> target() {
        String t = targetText.strip();
        if (t.equalsIgnoreCase("top")) {
            targetOptions.refine(null); // refuses --region and the like without a class target
            return Optional.empty();
        }
        Target parsed;
        try {
            parsed = Target.parse(t);
        } catch (IllegalArgumentException | io.dnnvis.onnx.UserErrorException e) {
            throw new UserException("--target: " + e.getMessage());
        }
        return Optional.of(targetOptions.refine(parsed));
    }

    private Baseline baseline(TensorValue first) {
        String b = baselineText.strip();
        String lower = b.toLowerCase(Locale.ROOT);
        if (lower.equals("zero") || lower.equals("mean") || lower.startsWith("blur")) {
            return Baseline.parse(b);
        }
        Path file = Path.of(b);
        return new Baseline.Given(Npy.read(file, first.name()), file.toString());
    }

    private List<ImageOptions.Loaded> load(OnnxModel model) {
        InputLayout layout = preprocessing.layout(model);
        PrintWriter err = spec.commandLine().getErr();
        List<ImageOptions.Loaded> loaded = new ArrayList<>();
        if (source.npy != null) {
            ImageOptions.Loaded all = PreprocessOptions.loadNpy(source.npy, model, layout);
            TensorValue t = all.tensor();
            long[] shape = t.shape();
            if (shape.length == 0 || shape[0] < 1) {
                throw new UserException(source.npy + ": an input needs a batch axis, got " + Arrays.toString(shape));
            }
            int n = (int) shape[0];
            int per = (int) (t.elementCount() / n);
            float[] data = t.data();
            long[] one = shape.clone();
            one[0] = 1;
            for (int i = 0; i < n; i++) {
                loaded.add(new ImageOptions.Loaded(TensorValue.owning(t.name(), one,
                        Arrays.copyOfRange(data, i * per, (i + 1) * per)), Optional.empty(), source.npy, layout));
            }
            return loaded;
        }
        for (Path image : source.images) {
            loaded.add(preprocessing.loadImage(image, model, layout, err));
        }
        return loaded;
    }

    private static String describe(ImageOptions.Loaded input, Attribution a, String camLayer) {
        AttributionRequest r = a.request();
        String where = r instanceof io.dnnvis.methods.attribution.CamRequest
                || r instanceof io.dnnvis.methods.attribution.GuidedGradCamRequest ? " at " + camLayer : "";
        String delta = a.convergenceDelta().isPresent()
                ? String.format(Locale.ROOT, ", convergence delta %.4g", a.convergenceDelta().getAsDouble()) : "";
        return String.format(Locale.ROOT, "%s: %s of %s%s, score %.6g%s %s", input.file().getFileName(), r.method(),
                a.targetLabel(), where, a.score(), delta, Arrays.toString(a.tensor().shape()));
    }

    /** {@code explain --json}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ExplainJson(String model, String method, String layer, List<ImageJson> images) {

        static ExplainJson of(Path model, ExplainMethod method, String layer, List<ImageOptions.Loaded> inputs,
                List<List<Attribution>> results) {
            List<ImageJson> images = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                for (Attribution a : results.get(i)) {
                    images.add(new ImageJson(inputs.get(i).file().toString(), i, a.request().method(),
                            a.targetLabel(), a.score(),
                            a.convergenceDelta().isPresent() ? a.convergenceDelta().getAsDouble() : null,
                            Arrays.stream(a.tensor().shape()).boxed().toList()));
                }
            }
            return new ExplainJson(model.toString(), method.label(), method.needsLayer() ? layer : null, images);
        }
    }

    /** One image's result in {@code explain --json}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ImageJson(String input, int index, String method, String target, double score,
            @JsonProperty("convergence_delta") Double convergenceDelta, List<Long> shape) {
    }
}
