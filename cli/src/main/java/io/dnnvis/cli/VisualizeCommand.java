package io.dnnvis.cli;

import io.dnnvis.methods.BackwardBuilder;
import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.BackwardRequest;
import io.dnnvis.methods.core.ChannelAxis;
import io.dnnvis.methods.Reconstruction;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.Gates;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.methods.render.Figure;
import io.dnnvis.methods.render.HeatmapStyle;
import io.dnnvis.methods.render.Images;
import io.dnnvis.methods.render.Picture;
import io.dnnvis.methods.render.SaliencyMap;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.Pooling;
import io.dnnvis.trace.backward.StartSignal;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dnnvis visualize}: DeconvNet, SaliNet and DeSaliNet reconstructions of chosen neurons. */
@Command(
        name = "visualize",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Send the signal of chosen neurons of a layer back to the input with DeconvNet, SaliNet or "
                    + "DeSaliNet (one ONNX graph: the forward pass truncated at the layer, then the inverse chain) "
                    + "and save the reconstructions as .npy and/or PNG pictures (gray 128 = zero, black and white "
                    + "at -/+ the clipping percentile of |value|, with a colour bar)."
        })
final class VisualizeCommand implements Callable<Integer> {

    /** A --method all figure holds at most this many rows (neurons); more make several figures. */
    static final int MAX_FIGURE_ROWS = 32;
    /** ...and at most about this many pixels of panels (32 MB as 32-bit RGB). */
    static final long FIGURE_PIXELS = 8_000_000L;
    /** More all-zero or non-finite reconstructions than this of one method are told in one line. */
    static final int MAX_WARNINGS = 5;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
    Path modelFile;

    @Mixin
    ImageOptions input;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "Target layer: alias (conv4), node name or tensor name (see 'dnnvis layers'); with --target: "
                    + "the layer of a neuron:C target, else the target's output (the default).")
    String layer;

    @Option(names = "--method", defaultValue = "desalinet", paramLabel = "METHOD",
            description = "deconvnet, salinet, desalinet or all (default: ${DEFAULT-VALUE}).")
    VisualizeMethod method;

    @Option(names = "--neuron", paramLabel = "N[,N...]|all|top:K",
            description = "Channels (units of a 2-D layer) to visualize, all of them, or the K with the strongest "
                    + "activation for this input; one reconstruction each; on the model's output also class labels "
                    + "(--neuron R, as class:R). Give --neuron or --target.")
    Neurons neurons;

    @Option(names = "--target", paramLabel = "TARGET", description = TargetOptions.TARGET_HELP
            + " Sends the gradient of its score back (one reconstruction per method); --layer defaults to its output.")
    Target scoreTarget;

    @Mixin
    TargetOptions targetOptions;

    @Option(names = "--yx", paramLabel = "Y,X", description = "Only the neuron at this position of each channel's map.")
    Position yx;

    @Option(names = "--start", defaultValue = "activation", paramLabel = "activation|ones",
            description = "Start signal: the neuron's activation or 1 (default: ${DEFAULT-VALUE}). With --target the default "
                    + "is ones, the gradient of the target's score (1 at each element it sums); activation weights "
                    + "each of those elements by its value.")
    StartSignal start;

    @Option(names = "--pooling", defaultValue = "switch", paramLabel = "switch|center|spread",
            description = "MaxPool unpooling (default: ${DEFAULT-VALUE}).")
    Pooling pooling;

    @Option(names = "--gates", defaultValue = "relu", paramLabel = "relu|all",
            description = "The activations DeSaliNet and DeconvNet treat as gates (default: ${DEFAULT-VALUE}): relu, as "
                    + "published (every other activation sends back its exact gradient), or all: also LeakyRelu, PRelu, "
                    + "Clip(0,max) (ReLU6), HardSwish, GELU and SiLU (x*sigmoid(x)), which then send back g'(x)*max(R,0) "
                    + "in DeSaliNet and max(R,0) in DeconvNet, R the arriving signal. SaliNet is the gradient either way.")
    Gates gates;

    @Option(names = "--save-npy", paramLabel = "FILE",
            description = "Write the reconstructions, float32 [B,C,H,W] (NCHW whatever the model's input layout); "
                    + "with --method all one file per method, named from FILE: out.npy gives out-deconvnet.npy, "
                    + "out-salinet.npy and out-desalinet.npy; existing ones are refused unless --force.")
    Path saveNpy;

    @Option(names = "--force",
            description = "Overwrite existing files whose names --save-npy derives (--method all).")
    boolean force;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Write PNG pictures into DIR.")
    Path outputDir;

    @Option(names = "--heatmap",
            description = "Pictures as heat maps of |signal| summed over channels, blended over the input.")
    boolean heatmap;

    @Mixin
    HeatmapOptions heatmapStyle;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // the options alone first, then what needs the model (layer, neurons, target), then the runs
        Preflight.requireSomethingToWrite(saveNpy, outputDir);
        scoreTarget = targetOptions.refine(scoreTarget);
        TargetRuns.checkOptions(scoreTarget, neurons != null, layer != null, yx != null);
        if (scoreTarget != null && !spec.commandLine().getParseResult().hasMatchedOption("--start")) {
            start = StartSignal.ONES; // the gradient of the target's score
        }
        List<BackwardMethod> methods = method.methods();
        HeatmapStyle style = heatmapStyle.style(); // every picture option is checked and used, heat map or not
        Preflight.requireWritable(saveNpy == null ? List.of() : methods.stream().map(m -> npyFile(methods, m)).toList(),
                methods.size() > 1, force, outputDir);
        OnnxModel model = common.loadModel(modelFile);
        PrintWriter out = spec.commandLine().getOut();
        ImageOptions.Loaded loaded = input.load(model, spec.commandLine().getErr());
        TensorValue tensor = loaded.tensor();
        if (outputDir != null) {
            loaded.requirePicturable();
        }
        List<Path> inputs = List.of(modelFile, loaded.file());
        if (saveNpy != null) {
            methods.forEach(m -> OutputPaths.requireNotInput(npyFile(methods, m), inputs));
        }
        Layer target = scoreTarget == null ? model.graph().layer(layer)
                : model.graph().layerOfTensor(TargetSelection.tensorOf(model, scoreTarget, layer));
        Map<BackwardMethod, Reconstruction> results = new LinkedHashMap<>();
        try (Visualizer vis = Visualizer.open(model, common.engineOptions(), loaded.layout())) {
            if (scoreTarget != null) {
                new TargetRuns(vis, scoreTarget, layer, pooling, start, gates, out).run(methods, tensor, model, results,
                        r -> warnAboutEmptyOrBroken(r.request().method(), r));
            } else {
                int[] chosen = chooseNeurons(vis, target, tensor);
                List<BackwardRequest> requests = new ArrayList<>();
                for (BackwardMethod m : methods) {
                    BackwardBuilder request = vis.method(m).layer(layer).pooling(pooling).start(start).gates(gates);
                    request = chosen == null ? request.allNeurons() : request.neurons(chosen);
                    if (yx != null) {
                        request = request.position(yx.y(), yx.x());
                    }
                    requests.add(request.request());
                }
                vis.check(requests.get(0), tensor); // a neuron or position that does not exist: refused before any output
                if (PredictCommand.classifies(model)) {
                    PredictCommand.print(PredictCommand.predict(model, vis.tracer(), tensor, 5), out);
                }
                for (BackwardRequest request : requests) {
                    BackwardMethod m = request.method();
                    long t0 = System.nanoTime();
                    Reconstruction r = vis.run(request, tensor);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    results.put(m, r);
                    out.printf("%s %s (%s): %d neuron%s in %d ms%n", m.label(), describe(target), target.op(),
                            r.neurons().length, r.neurons().length == 1 ? "" : "s", ms);
                    warnAboutEmptyOrBroken(m, r);
                }
            }
        }
        if (saveNpy != null) {
            for (Map.Entry<BackwardMethod, Reconstruction> e : results.entrySet()) {
                Path file = npyFile(methods, e.getKey());
                TensorValue values = e.getValue().tensor();
                OutputPaths.write(file, Npy.toBytes(values), inputs);
                out.printf("wrote %s %s%n", file, Arrays.toString(values.shape()));
            }
        }
        if (outputDir != null) {
            writePictures(OutputPaths.folder(outputDir), model, target, loaded, results, style, inputs, out);
        }
        out.flush();
        return 0;
    }

    private void writePictures(Path dir, OnnxModel model, Layer target, ImageOptions.Loaded loaded,
            Map<BackwardMethod, Reconstruction> results, HeatmapStyle style, List<Path> inputs, PrintWriter out) {
        TensorValue input = loaded.nchw(); // reconstructions are NCHW whatever the model's layout
        long[] shape = input.shape();
        int c = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int plane = c * h * w;
        String layerName = OutputPaths.safeName(target.alias().isEmpty() ? target.tensor() : target.alias());
        Reconstruction first = results.values().iterator().next();
        int[] channels = first.neurons();
        BufferedImage inputPicture = loaded.picture().orElseGet(() -> Images.minMax(input.data(), c, h, w));
        if (results.size() == 1) {
            BackwardMethod m = results.keySet().iterator().next();
            float[] data = first.tensor().data();
            for (int k = 0; k < channels.length; k++) {
                float[] one = Arrays.copyOfRange(data, k * plane, (k + 1) * plane);
                Path file = dir.resolve(m.label() + "_" + layerName + "_" + panelName(channels[k])
                        + (heatmap ? "_heatmap" : "") + ".png");
                OutputPaths.write(file, Images.png(panel(one, c, h, w, inputPicture, style).forDisplay()), inputs);
                out.printf("wrote %s%n", file);
            }
            return;
        }
        List<String> columns = new ArrayList<>(List.of("input"));
        results.keySet().forEach(m -> columns.add(m.title()));
        String title = model.fileName() + "  " + target.alias() + " (" + target.op() + ")" + "  pooling " + pooling.label()
                + ", start " + start.label() + (gates == Gates.RELU ? "" : ", gates " + gates.label());
        int perFigure = rowsPerFigure(columns.size(), h, w);
        int figures = (channels.length + perFigure - 1) / perFigure;
        for (int f = 0; f < figures; f++) {
            int from = f * perFigure;
            int to = Math.min(channels.length, from + perFigure);
            Figure figure = new Figure(title + (figures == 1 ? "" : "  (neurons " + (from + 1) + "-" + to + " of "
                    + channels.length + ")"), columns);
            for (int k = from; k < to; k++) {
                List<Picture> panels = new ArrayList<>(List.of(Picture.plain(inputPicture)));
                for (Reconstruction r : results.values()) {
                    float[] one = Arrays.copyOfRange(r.tensor().data(), k * plane, (k + 1) * plane);
                    panels.add(panel(one, c, h, w, inputPicture, style));
                }
                figure.row(scoreTarget == null ? "neuron " + channels[k] : scoreTarget.toString(), panels);
            }
            Path file = dir.resolve("all_" + layerName + (scoreTarget == null ? "" : "_" + TargetOptions.stem(scoreTarget))
                    + (figures == 1 ? "" : "_page" + (f + 1)) + ".png");
            OutputPaths.write(file, Images.png(figure.render()), inputs);
            out.printf("wrote %s%n", file);
        }
    }

    /**
     * Rows (neurons) per --method all figure: as many as keep its panels under {@link #FIGURE_PIXELS}
     * (panels are enlarged to at least 128 pixels, as {@link Figure} draws them), at most
     * {@link #MAX_FIGURE_ROWS}, at least one. More neurons make several figures.
     */
    static int rowsPerFigure(int columns, int h, int w) {
        int zoom = Math.max(1, (128 + w - 1) / w);
        long perRow = (long) columns * w * zoom * h * zoom;
        return (int) Math.max(1, Math.min(MAX_FIGURE_ROWS, FIGURE_PIXELS / perRow));
    }

    /**
     * Says so on stderr when a reconstruction is all zeros or holds NaN/Inf, instead of a blank
     * picture: one line per neuron, or one line per kind for more than {@link #MAX_WARNINGS} neurons
     * (--neuron all on a ReLU layer easily has hundreds of inactive ones).
     */
    private void warnAboutEmptyOrBroken(BackwardMethod m, Reconstruction r) {
        PrintWriter err = spec.commandLine().getErr();
        float[] data = r.tensor().data();
        int[] neurons = r.neurons();
        int per = data.length / Math.max(1, neurons.length);
        List<Integer> broken = new ArrayList<>();
        List<Integer> zeros = new ArrayList<>();
        for (int k = 0; k < neurons.length; k++) {
            boolean finite = true;
            boolean zero = true;
            for (int i = k * per; i < (k + 1) * per; i++) {
                finite &= Float.isFinite(data[i]);
                zero &= data[i] == 0f;
            }
            if (!finite) {
                broken.add(neurons[k]);
            } else if (zero) {
                zeros.add(neurons[k]);
            }
        }
        warn(err, m, broken, neurons.length, "the reconstruction holds NaN or infinite values",
                "reconstructions hold NaN or infinite values");
        warn(err, m, zeros, neurons.length, "the reconstruction is all zeros (no signal reached the input;"
                + " is the neuron active for this input?)", "reconstructions are all zeros (no signal reached the"
                + " input; inactive for this input?)");
        err.flush();
    }

    private static void warn(PrintWriter err, BackwardMethod m, List<Integer> neurons, int of, String one,
            String many) {
        if (neurons.size() <= MAX_WARNINGS) {
            neurons.forEach(n -> err.printf("warning: %s neuron %d: %s%n", m.label(), n, one));
            return;
        }
        String listed = neurons.stream().limit(10).map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
        err.printf("warning: %s: %d of %d %s: neurons %s%s%n", m.label(), neurons.size(), of, many, listed,
                neurons.size() > 10 ? ", ..." : "");
    }

    /**
     * One reconstruction as a picture: gray per channel (128 = zero), with --cmap the sum over channels in
     * its colours, with --heatmap a heat map of |v| over the input.
     */
    private Picture panel(float[] chw, int c, int h, int w, BufferedImage inputPicture, HeatmapStyle style) {
        if (heatmap) {
            return SaliencyMap.fromReconstruction(chw, c, h, w).composePicture(inputPicture, style);
        }
        if (heatmapStyle.colormapChosen()) {
            return SaliencyMap.channelSum(chw, c, h, w).heatmapPicture(style, w, h);
        }
        return Images.reconstruction(chw, c, h, w, style);
    }

    /** The part of a picture's name that says what it shows: {@code n3}, or the target's stem. */
    private String panelName(int channel) {
        return scoreTarget == null ? "n" + channel : TargetOptions.stem(scoreTarget);
    }

    private static String describe(Layer target) {
        return target.alias().isEmpty() ? target.tensor() : target.alias() + " " + target.tensor();
    }

    /** The channels --neuron names; null for all. */
    private int[] chooseNeurons(Visualizer vis, Layer target, TensorValue tensor) {
        requireChannelsOnAxisOne(vis, target, tensor);
        PrintWriter err = spec.commandLine().getErr();
        if (neurons instanceof Neurons.Listed listed) {
            return Preflight.distinct(listed.channels(), "--neuron", err);
        }
        if (neurons instanceof Neurons.Labelled labelled) {
            return ClassNeurons.channels(vis.model(), target, labelled.keys());
        }
        if (neurons instanceof Neurons.Strongest top) {
            TensorValue activation = vis.tracer().trace(tensor, List.of(target.tensor())).get(target.tensor());
            long[] shape = activation.shape();
            int k = shape.length < 2 ? top.count() : Preflight.clampTop(top.count(), shape[1],
                    target.alias().isEmpty() ? target.tensor() : target.alias(), err);
            return Strongest.channels(activation, k);
        }
        return null;
    }

    /**
     * Refuses --neuron on a layer that holds its channels last (after a Transpose, as ConvNeXt's
     * Linear layers): its axis 1, which --neuron counts, holds image rows there.
     */
    private static void requireChannelsOnAxisOne(Visualizer vis, Layer target, TensorValue tensor) {
        Optional<int[]> axes = vis.imageAxes(target.tensor(), tensor.shape());
        if (axes.isPresent() && ChannelAxis.holdsImage(axes.get())) {
            String input = vis.model().graph().inputs().get(0).name();
            long[] shape = vis.tracer().shapes(Map.of(input, tensor.shape())).get(target.tensor());
            throw new UserException(ChannelAxis.message(describe(target), shape, axes.get(),
                    "--neuron counts channels on axis 1 (--target output:NAME[...] names any element)"));
        }
    }

    /** The --save-npy file of method {@code m}: FILE itself, or FILE-method.npy for --method all. */
    private Path npyFile(List<BackwardMethod> methods, BackwardMethod m) {
        return methods.size() == 1 ? saveNpy : suffixed(saveNpy, m.label());
    }

    private static Path suffixed(Path file, String suffix) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : ".npy";
        return file.resolveSibling(stem + "-" + suffix + ext);
    }

}
