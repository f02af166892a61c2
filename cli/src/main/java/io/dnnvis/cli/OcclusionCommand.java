package io.dnnvis.cli;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.occlusion.BatchPlan;
import io.dnnvis.methods.occlusion.Fill;
import io.dnnvis.methods.occlusion.OcclusionBuilder;
import io.dnnvis.methods.occlusion.OcclusionResult;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Images;
import io.dnnvis.methods.render.SaliencyMap;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dnnvis occlusion}: layer occlusion (norm changes of a layer's maps) or score occlusion (Captum's). */
@Command(
        name = "occlusion",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Slide a window of the fill colour over the input and watch a layer.",
            "Without --target (layer occlusion): window centres at 0, s, 2s, ...; the result [C,Hs,Ws] is the "
                    + "change of the L2 norm of each channel's map; PNGs for --channel (default: the 4 channels "
                    + "that change most).",
            "With --target (score occlusion, as Captum's Occlusion): the result [H,W] is the mean drop of the "
                    + "score over the windows covering each pixel; one heat map and one composite."
        })
final class OcclusionCommand implements Callable<Integer> {

    private static final int DEFAULT_CHANNELS = 4;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
    Path modelFile;

    @Mixin
    ImageOptions input;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "Layer to watch: alias (conv5), node name or tensor name; not needed with --target class:K or output:NAME[...].")
    String layer;

    @Option(names = "--window", required = true, paramLabel = "K", converter = Bounded.OddPositive.class,
            description = "Window size in pixels (odd).")
    int window;

    @Option(names = "--stride", required = true, paramLabel = "S", converter = Bounded.Positive.class,
            description = "Distance between windows in pixels.")
    int stride;

    @Option(names = "--fill", defaultValue = "mean", paramLabel = "mean|zero|channel-mean|NUMBER",
            description = "What covers the window: the input's mean, 0, each channel's mean or a number (default: ${DEFAULT-VALUE}).")
    Fill fill;

    @Option(names = "--target", paramLabel = "TARGET", description = TargetOptions.TARGET_HELP)
    Target target;

    @Mixin
    TargetOptions targetOptions;

    @Option(names = "--channel", paramLabel = "C", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "Layer occlusion: channels to draw (default: the " + DEFAULT_CHANNELS + " that change most).")
    int[] channels;

    @Option(names = "--batch", paramLabel = "B", converter = Bounded.Positive.class,
            description = "Occluded images per ONNX Runtime run (default: from the layer's size, at most 16; "
                    + "a batch that would take more than --memory-cap, or make a tensor larger than "
                    + "--max-tensor-bytes, is reduced, with a note).")
    Integer batch;

    @Option(names = "--memory-cap", paramLabel = "BYTES", converter = Bounded.PositiveLong.class,
            description = "About how many bytes the occluded images of one run may take, Java arrays and ONNX "
                    + "Runtime's tensors together (default: a quarter of the memory available now, 256 MiB to 4 GiB).")
    Long memoryCap;

    @Option(names = "--incremental", paramLabel = "auto|on|off",
            description = "Recompute only what each window changes, layer by layer, from the unoccluded image's "
                    + "activations (same values; auto: where it saves work, the default, or the system property "
                    + "dnnvis.occlusion.incremental).")
    io.dnnvis.methods.occlusion.IncrementalMode incremental;

    @Option(names = "--approx", paramLabel = "TAU",
            description = "Approximate: skip the positions of a changed region whose receptive field the change "
                    + "covers less than TAU of (Krypton's projective-field threshold, 0 <= TAU < 1; default 0: "
                    + "exact). With --verbose, the map is also computed exactly and the error printed.")
    double approx;

    @Option(names = "--save-npy", paramLabel = "FILE",
            description = "Write the result, float32: [C,Hs,Ws] (layer occlusion) or [H,W] (with --target), "
                    + "H and W the input's rows and columns whatever its layout.")
    Path saveNpy;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Write PNG heat maps and composites into DIR.")
    Path outputDir;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Mixin
    HeatmapOptions heatmap;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // the options alone first, then what needs the model (layer, channels, target, input size), then the run
        Preflight.requireSomethingToWrite(saveNpy, outputDir);
        target = targetOptions.refine(target);
        if (target != null && channels != null) {
            throw new UserException("--channel is for layer occlusion; with --target the result is one map");
        }
        if (layer == null && (target == null || target.needsLayer())) {
            throw new UserException("--layer is required (except with --target class:K or output:NAME[...])");
        }
        HeatmapStyle style = heatmap.style();
        Preflight.requireWritable(saveNpy == null ? List.of() : List.of(saveNpy), false, false, outputDir);
        OnnxModel model = common.loadModel(modelFile);
        ImageOptions.Loaded loaded = input.load(model, spec.commandLine().getErr());
        TensorValue tensor = loaded.tensor();
        if (outputDir != null) {
            loaded.requirePicturable();
        }
        long[] shape = loaded.tensor().shape();
        if (shape.length == 4) {
            Preflight.requireWindowFits(window, loaded.layout().height(shape), loaded.layout().width(shape));
        }
        if (channels != null) {
            channels = Preflight.distinct(channels, "--channel", spec.commandLine().getErr());
        }
        List<Path> inputs = List.of(modelFile, loaded.file());
        if (saveNpy != null) {
            OutputPaths.requireNotInput(saveNpy, inputs);
        }
        PrintWriter out = spec.commandLine().getOut();
        OcclusionResult result;
        try (Visualizer vis = Visualizer.open(model, common.engineOptions(), loaded.layout())) {
            OcclusionBuilder request = vis.occlusion().window(window).stride(stride).fill(fill).target(target)
                    .batch(batch == null ? 0 : batch).memoryCap(memoryCap == null ? 0 : memoryCap)
                    .approx(approx);
            if (incremental != null) {
                request = request.incremental(incremental);
            }
            if (layer != null) {
                request = request.layer(layer);
            }
            if (channels != null) {
                checkChannels(request.layerShape(tensor), channels);
            }
            BatchPlan plan = request.batchPlan(tensor); // also refuses bad settings before any output
            if (PredictCommand.classifies(model)) {
                PredictCommand.print(PredictCommand.predict(model, vis.tracer(), tensor, 5), out);
            }
            noteReducedBatch(plan);
            request = request.progress(ProgressBar.occlusion(spec.commandLine().getErr(), quiet));
            result = request.run(tensor);
            if (common.verbose) {
                result = request.withApproxError(result, tensor);
            }
        }
        out.println(summary(result));
        if (common.verbose) {
            out.println("computed " + result.path() + (Double.isNaN(result.approxError()) ? ""
                    : String.format(java.util.Locale.ROOT, "; maximum relative error against the exact map %.3g",
                            result.approxError())));
        }
        out.flush();
        ValueWarnings.warn(spec.commandLine().getErr(), "the occlusion result", result.tensor().data(),
                result.isScoreOcclusion());
        if (result.isScoreOcclusion()) {
            noteUncovered(result.tensor().data());
        }
        if (saveNpy != null) {
            OutputPaths.write(saveNpy, Npy.toBytes(result.tensor()), inputs);
            out.printf("wrote %s %s%n", saveNpy, Arrays.toString(result.shape()));
        }
        if (outputDir != null) {
            writePictures(OutputPaths.folder(outputDir), loaded, result, channels, style, inputs, out);
        }
        out.flush();
        return 0;
    }

    /** A score map's pixels that no window covers (a stride above the window) have no value: say how many. */
    private void noteUncovered(float[] map) {
        long uncovered = 0;
        for (float v : map) {
            uncovered += Float.isNaN(v) ? 1 : 0;
        }
        if (uncovered > 0) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf(java.util.Locale.ROOT, "note: %d of the %d pixels are under no window (stride %d, window %d): "
                    + "NaN in --save-npy, 0 in the pictures%n", uncovered, map.length, stride, window);
            err.flush();
        }
    }

    private void writePictures(Path dir, ImageOptions.Loaded loaded, OcclusionResult result, int[] chosen,
            HeatmapStyle style, List<Path> inputs, PrintWriter out) {
        TensorValue shown = loaded.nchw();
        long[] shape = shown.shape();
        int h = (int) shape[2];
        int w = (int) shape[3];
        BufferedImage picture = loaded.picture().orElseGet(() -> Images.minMax(shown.data(), (int) shape[1], h, w));
        if (result.isScoreOcclusion()) {
            write(dir, "occlusion_" + targetName(result), result.map(), picture, style, inputs, out);
            return;
        }
        int[] drawn = chosen != null ? chosen : result.strongestChannels(DEFAULT_CHANNELS);
        String layerName = layerName(result.layer());
        for (int c : drawn) {
            write(dir, "occlusion_" + layerName + "_c" + c, result.map(c), picture, style, inputs, out);
        }
    }

    private static void write(Path dir, String stem, SaliencyMap map, BufferedImage picture, HeatmapStyle style,
            List<Path> inputs, PrintWriter out) {
        Path heat = dir.resolve(stem + "_heatmap.png");
        OutputPaths.write(heat, Images.png(map.heatmapPicture(style, picture.getWidth(), picture.getHeight()).forDisplay()),
                inputs);
        out.printf("wrote %s%n", heat);
        Path composite = dir.resolve(stem + "_composite.png");
        OutputPaths.write(composite, Images.png(map.composePicture(picture, style).forDisplay()), inputs);
        out.printf("wrote %s%n", composite);
    }

    /** One line on stderr when --batch is more than fits (memory, --max-tensor-bytes) and a smaller batch runs instead. */
    private void noteReducedBatch(BatchPlan plan) {
        if (plan.reduced()) {
            PrintWriter err = spec.commandLine().getErr();
            String why = plan.limitedByTensorBytes()
                    ? String.format("would make a tensor larger than --max-tensor-bytes %d (the largest is %s per"
                            + " occluded image)", plan.maxTensorBytes(), size(plan.largestTensorBytes()))
                    : String.format("is more than fits in memory (about %s per occluded image)",
                            size(plan.bytesPerImage()));
            err.printf("note: --batch %d %s; running %d images per run%n", plan.requested(), why, plan.images());
            err.flush();
        }
    }

    /** Bytes as KiB below a mebibyte, else MiB with one decimal. */
    static String size(long bytes) {
        if (bytes < (1L << 20)) {
            return (bytes + 1023) / 1024 + " KiB";
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    private static String targetName(OcclusionResult result) {
        Target t = result.target().orElseThrow();
        return t.needsLayer() ? layerName(result.layer()) + "_" + TargetOptions.stem(t) : TargetOptions.stem(t);
    }

    private static String layerName(Layer layer) {
        return OutputPaths.safeName(layer.alias().isEmpty() ? layer.tensor() : layer.alias());
    }

    private String summary(OcclusionResult r) {
        long[] s = r.shape();
        String what = r.target().map(t -> "score occlusion of " + t + " (" + describe(r.layer()) + ")")
                .orElse("layer occlusion of " + describe(r.layer()));
        String grid = r.isScoreOcclusion() ? "" : " (" + s[1] + "x" + s[2] + ")";
        return String.format("%s: %d windows%s of %dx%d, stride %d, fill %s, batch %d%s in %d ms", what, r.windows(),
                grid, window, window, stride, fill, r.batch(), r.batchable() ? "" : " (one image per run)",
                r.elapsed().toMillis());
    }

    private static String describe(Layer layer) {
        return (layer.alias().isEmpty() ? layer.tensor() : layer.alias() + " " + layer.tensor()) + ", " + layer.op();
    }

    /** Refuses channels the layer lacks before the (long) occlusion run. */
    private void checkChannels(long[] layerShape, int[] chosen) {
        long count = layerShape.length < 2 ? 1 : layerShape[1];
        for (int c : chosen) {
            if (c < 0 || c >= count) {
                throw new UserException("--channel: channel " + c + " does not exist in layer '" + layer
                        + "' (channels 0.." + (count - 1) + ")");
            }
        }
    }
}
