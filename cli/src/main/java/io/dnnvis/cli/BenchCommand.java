package io.dnnvis.cli;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.BackwardBuilder;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.occlusion.OcclusionBuilder;
import io.dnnvis.methods.occlusion.OcclusionResult;
import io.dnnvis.modelbuild.BenchmarkModels;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.TruncatedForward;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dnnvis bench}: times one visualization call on a random input, next to the forward graph
 * truncated at the same layer (the floor to compare with), and reports the peak heap and RSS.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Time a visualization of one layer on a random input (fixed seed): the first call (compile + session "
                    + "build + run), then the median, min and max over --repeat calls after --warmup calls.",
            "Next to it: the median of ONNX Runtime running only the forward graph truncated at the layer (run "
                    + "afterwards), the peak heap (sampled) and the process's peak RSS (VmHWM, Linux) up to the end "
                    + "of the visualization runs.",
            "MODEL is an .onnx file or builtin:alexnet|vgg16|resnet50 (seeded random weights, generated once into "
                    + "-Ddnnvis.cache, $DNNVIS_CACHE or ~/.cache/dnnvis/models)."
        })
final class BenchCommand implements Callable<Integer> {

    /** Seed of the random input. */
    static final long INPUT_SEED = 42;
    private static final String BUILTIN = "builtin:";
    private static final double NANOS_PER_MS = 1e6;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file, or builtin:alexnet|vgg16|resnet50.")
    String modelArg;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "Target layer: alias (conv5), node name or tensor name (see 'dnnvis layers'); the CAM layer "
                    + "of the CAM methods; not needed for saliency, input-x-gradient, integrated-gradients, smoothgrad.")
    String layer;

    /** The tensor {@link #layer} names, resolved once (the forward pass takes it as a tensor name). */
    private String targetTensor;

    @Option(names = "--method", defaultValue = "desalinet", paramLabel = "METHOD",
            description = "What to time: deconvnet, salinet, desalinet, occlusion, or a method of explain ("
                    + ExplainMethod.NAMES + " but all) (default: ${DEFAULT-VALUE}).")
    BenchMethod method;

    @Option(names = "--target", defaultValue = "top", paramLabel = "TARGET",
            description = "Attribution methods: the score to explain, as in explain (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--steps", defaultValue = "" + io.dnnvis.methods.attribution.IntegratedGradientsRequest.DEFAULT_STEPS,
            paramLabel = "N", description = "Integrated Gradients: steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--samples", defaultValue = "" + io.dnnvis.methods.attribution.SmoothGradRequest.DEFAULT_SAMPLES,
            paramLabel = "N", description = "SmoothGrad: samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--neuron", defaultValue = "0", paramLabel = "N[,N...]|all", converter = Neurons.ListedOrAll.class,
            description = "Channels to reconstruct in one call, or all of them (default: ${DEFAULT-VALUE}).")
    Neurons neurons;

    @Option(names = "--window", paramLabel = "K", converter = Bounded.OddPositive.class,
            description = "Occlusion: window size in pixels (odd).")
    Integer window;

    @Option(names = "--stride", paramLabel = "S", converter = Bounded.Positive.class,
            description = "Occlusion: distance between windows in pixels.")
    Integer stride;

    @Option(names = "--batch", defaultValue = "0", paramLabel = "B", converter = Bounded.NotNegative.class,
            description = "Occlusion: occluded images per ONNX Runtime run; 0 = automatic (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--incremental", paramLabel = "auto|on|off",
            description = "Occlusion: recompute only what each window changes (auto: where it saves work; default: "
                    + "auto, or the system property dnnvis.occlusion.incremental).")
    io.dnnvis.methods.occlusion.IncrementalMode incremental;

    @Option(names = "--approx", paramLabel = "TAU",
            description = "Occlusion: Krypton's projective-field threshold in [0, 1) (default 0: exact); the "
                    + "maximum relative error against the exact map is reported.")
    double approx;

    @Option(names = "--input-shape", paramLabel = "N,C,H,W|N,H,W,C",
            description = "Input shape, in the model's own layout (default: the model's; a dynamic batch is 1, a "
                    + "dynamic height and width come from --input-size or the model's metadata, else the command "
                    + "refuses).")
    InputShape inputShape;

    @Option(names = "--layout", paramLabel = "nchw|nhwc",
            description = "Where the model's input keeps its channels, for occlusion windows (default: from the graph).")
    InputLayout layout;

    @Option(names = "--input-size", paramLabel = "HxW",
            description = "Height and width of the input where they are dynamic.")
    ImageSize inputSize;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "W", converter = Bounded.NotNegative.class,
            description = "Untimed calls after the first one (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repeat", defaultValue = "10", paramLabel = "R", converter = Bounded.Positive.class,
            description = "Timed calls (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (method == BenchMethod.OCCLUSION && (window == null || stride == null)) {
            throw new UserException("--method occlusion needs --window K and --stride S");
        }
        EngineOptions options = common.engineOptions();
        Path file = resolveModel();
        try (MemoryWatch memory = MemoryWatch.start()) {
            OnnxModel model = common.loadModel(file);
            long[] shape = inputShape(model);
            TensorValue input = randomInput(model.graph().inputs().get(0).name(), shape);
            Layer target;
            if (scoreOcclusion()) { // the score's own tensor, which occlusion watches whatever --layer says
                target = model.graph().layerOfTensor(io.dnnvis.methods.core.TargetSelection.tensorOf(model,
                        io.dnnvis.methods.core.Target.parse(this.target.strip()), null));
                layer = target.tensor();
            } else if (layer == null && !method.needsLayer()) {
                layer = model.graph().outputs().get(0).name();
                target = model.graph().layerOfTensor(layer); // a tensor name: not read as an alias
            } else {
                layer = layer == null ? defaultCamLayer(model, input, options) : layer;
                target = model.graph().layer(layer);
            }
            targetTensor = target.tensor();
            if (method == BenchMethod.OCCLUSION && shape.length == 4) {
                InputLayout l = InputLayout.resolve(model, Optional.ofNullable(layout));
                Preflight.requireWindowFits(window, l.height(shape), l.width(shape));
            }
            Measured measured = method.attribution().isPresent()
                    ? timeAttribution(model, method.attribution().get(), input, options, memory)
                    : method.backward().map(backward -> timeBackward(model, backward, input, options, memory))
                            .orElseGet(() -> timeOcclusion(model, input, options, memory));
            OptionalLong rss = MemoryWatch.peakRssBytes();
            Forward forward = timeForward(model, input, options, memory);
            BenchReport report = new BenchReport(model.fileName(), target, method.label(), measured, forward, shape,
                    common.threads, warmup, repeat, memory.peakHeapBytes(), rss);
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? report.json() : report.text());
            out.flush();
        }
        return 0;
    }

    // ---------------------------------------------------------------- the three timed phases

    private Measured timeBackward(OnnxModel model, BackwardMethod m, TensorValue input, EngineOptions options,
            MemoryWatch memory) {
        long t0 = System.nanoTime();
        try (Visualizer vis = Visualizer.open(model, options, InputLayout.resolve(model, Optional.ofNullable(layout)))) {
            double openMs = (System.nanoTime() - t0) / NANOS_PER_MS;
            BackwardBuilder request = vis.method(m).layer(layer);
            request = neurons instanceof Neurons.Listed listed
                    ? request.neurons(Preflight.distinct(listed.channels(), "--neuron", spec.commandLine().getErr()))
                    : request.allNeurons();
            int count = request.run(input).neurons().length;
            double sessionMs = (System.nanoTime() - t0) / NANOS_PER_MS;
            BackwardBuilder timed = request;
            Timing timing = Timing.of(() -> timed.run(input), warmup, repeat, memory);
            return new Measured(sessionMs, openMs, timing, new BenchReport.Reconstructions(count));
        }
    }

    private Measured timeAttribution(OnnxModel model, ExplainMethod m, TensorValue input, EngineOptions options,
            MemoryWatch memory) {
        Optional<io.dnnvis.methods.core.Target> explained = target.strip().equalsIgnoreCase("top") ? Optional.empty()
                : Optional.of(io.dnnvis.methods.core.Target.parse(target.strip()));
        io.dnnvis.methods.attribution.AttributionRequest request = m.request(new ExplainMethod.Settings(explained,
                layer, io.dnnvis.methods.attribution.CamResolution.LAYER, steps,
                io.dnnvis.methods.attribution.Quadrature.GAUSS_LEGENDRE, new io.dnnvis.methods.attribution.Baseline.Zero(),
                samples, io.dnnvis.methods.attribution.SmoothGradRequest.DEFAULT_NOISE, 0,
                io.dnnvis.methods.core.Gates.RELU));
        long t0 = System.nanoTime();
        try (Visualizer vis = Visualizer.open(model, options, InputLayout.resolve(model, Optional.ofNullable(layout)))) {
            double openMs = (System.nanoTime() - t0) / NANOS_PER_MS;
            String resolved = vis.explain(request, input).targetLabel();
            double sessionMs = (System.nanoTime() - t0) / NANOS_PER_MS;
            Timing timing = Timing.of(() -> vis.explain(request, input), warmup, repeat, memory);
            boolean ig = m == ExplainMethod.INTEGRATED_GRADIENTS;
            boolean smooth = request instanceof io.dnnvis.methods.attribution.SmoothGradRequest;
            return new Measured(sessionMs, openMs, timing,
                    new BenchReport.Attribution(resolved, ig ? steps : null, smooth ? samples : null));
        }
    }

    private String defaultCamLayer(OnnxModel model, TensorValue input, EngineOptions options) {
        try (Visualizer vis = Visualizer.open(model, options, InputLayout.resolve(model, Optional.ofNullable(layout)))) {
            return vis.defaultCamLayer(input);
        }
    }

    private Measured timeOcclusion(OnnxModel model, TensorValue input, EngineOptions options, MemoryWatch memory) {
        long t0 = System.nanoTime();
        try (Visualizer vis = Visualizer.open(model, options, InputLayout.resolve(model, Optional.ofNullable(layout)))) {
            double openMs = (System.nanoTime() - t0) / NANOS_PER_MS;
            OcclusionBuilder request = vis.occlusion().window(window).stride(stride).batch(batch)
                    .incremental(incremental == null ? io.dnnvis.methods.occlusion.IncrementalMode.fromProperty()
                            : incremental).approx(approx);
            if (!scoreOcclusion()) {
                request = request.layer(layer);
            }
            if (!target.strip().equalsIgnoreCase("top")) {
                request = request.target(io.dnnvis.methods.core.Target.parse(target.strip()));
            }
            OcclusionResult first = request.run(input);
            double sessionMs = (System.nanoTime() - t0) / NANOS_PER_MS;
            OcclusionBuilder timed = request;
            Timing timing = Timing.of(() -> timed.run(input), warmup, repeat, memory);
            Double error = approx > 0 ? request.withApproxError(first, input).approxError() : null;
            return new Measured(sessionMs, openMs, timing, new BenchReport.Occlusion(window, stride, first.windows(),
                    first.batch(), first.target().map(Object::toString).orElse(null), first.path(), error));
        }
    }

    /** Occlusion of a score that lies in a model output (a class or output target): it watches that output. */
    private boolean scoreOcclusion() {
        return method == BenchMethod.OCCLUSION && !target.strip().equalsIgnoreCase("top")
                && !io.dnnvis.methods.core.Target.parse(target.strip()).needsLayer();
    }

    /** ONNX Runtime on the forward graph cut at the layer, the same input. */
    private Forward timeForward(OnnxModel model, TensorValue input, EngineOptions options, MemoryWatch memory) {
        long[] one = input.shape().clone();
        int n = (int) one[0];
        one[0] = 1;
        long t0 = System.nanoTime();
        try (TruncatedForward forward = TruncatedForward.open(model, targetTensor, one, options)) {
            double sessionMs = (System.nanoTime() - t0) / NANOS_PER_MS;
            float[] data = input.data();
            return new Forward(sessionMs, Timing.of(() -> forward.run(data, n), warmup, repeat, memory));
        }
    }

    // ---------------------------------------------------------------- arguments

    /** The model file, generating a builtin model into the cache first if needed. */
    private Path resolveModel() {
        if (!modelArg.startsWith(BUILTIN)) {
            return Path.of(modelArg);
        }
        String name = modelArg.substring(BUILTIN.length()).toLowerCase(Locale.ROOT);
        if (!BenchmarkModels.NAMES.contains(name)) {
            throw new UserException("unknown builtin model '" + name + "' (known: "
                    + String.join(", ", BenchmarkModels.NAMES) + ")");
        }
        Path cache = BenchmarkModels.defaultCacheDir();
        if (!Files.isRegularFile(BenchmarkModels.cachedFile(name, cache))) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf("generating %s into %s (once; seeded random weights)%n", name, cache);
            err.flush();
        }
        try {
            return BenchmarkModels.ensure(name, cache);
        } catch (UncheckedIOException e) {
            throw new UserException(e.getMessage());
        }
    }

    private long[] inputShape(OnnxModel model) {
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            throw new UserException(model.fileName() + ": the model has " + inputs.size()
                    + " inputs; bench needs exactly one");
        }
        long[] shape = FirstInputShape.of(model, inputShape, inputSize).orElseThrow(() -> new UserException(
                model.fileName() + ": the input's shape is not declared; give --input-shape N,C,H,W"));
        if (shape.length < 2) {
            throw new UserException("input shape " + Arrays.toString(shape) + " has no batch and channel axes");
        }
        return shape;
    }

    /** Standard normal values from {@link #INPUT_SEED}, like a normalised image. */
    static TensorValue randomInput(String name, long[] shape) {
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (count > Integer.MAX_VALUE - 8) {
            throw new UserException("input shape " + Arrays.toString(shape) + " is too large");
        }
        Random rnd = new Random(INPUT_SEED);
        float[] data = new float[(int) count];
        for (int k = 0; k < data.length; k++) {
            data[k] = (float) rnd.nextGaussian();
        }
        return new TensorValue(name, shape, data);
    }

    // ---------------------------------------------------------------- values

    /**
     * Median, min and max of timed calls, in milliseconds, and the process's resident memory after
     * the warm-up and after the last call (-1 where unknown): equal when repeated calls leak nothing.
     */
    record Timing(double medianMs, double minMs, double maxMs, int repeat, long rssAfterWarmupBytes,
            long rssEndBytes) {

        /** Runs {@code call} {@code warmup} times untimed, then {@code repeat} times timed. */
        static Timing of(Supplier<?> call, int warmup, int repeat, MemoryWatch memory) {
            for (int k = 0; k < warmup; k++) {
                call.get();
            }
            long rssAfterWarmup = MemoryWatch.rssBytes("VmRSS:").orElse(-1);
            double[] ms = new double[repeat];
            for (int k = 0; k < repeat; k++) {
                long t0 = System.nanoTime();
                call.get();
                ms[k] = (System.nanoTime() - t0) / NANOS_PER_MS;
                memory.sample();
            }
            Arrays.sort(ms);
            int mid = repeat / 2;
            double median = repeat % 2 == 1 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
            return new Timing(median, ms[0], ms[repeat - 1], repeat, rssAfterWarmup,
                    MemoryWatch.rssBytes("VmRSS:").orElse(-1));
        }
    }

    /**
     * The visualization's first call (of which {@code openMs} opening the {@link Visualizer}) and timed
     * calls, plus what describes the work (neurons, windows).
     */
    record Measured(double sessionMs, double openMs, Timing timing, BenchReport.Work work) {
    }

    /** The forward-only baseline: opening its session (with a batch probe) and its timed runs. */
    record Forward(double sessionMs, Timing timing) {
    }

    /**
     * Samples the used heap every few milliseconds on a daemon thread and on demand; the process's
     * peak RSS comes from {@code /proc/self/status}.
     */
    static final class MemoryWatch implements AutoCloseable {

        private static final long PERIOD_MS = 100;
        private final MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
        private final AtomicLong peak = new AtomicLong();
        private final Thread sampler;
        private volatile boolean running = true;

        private MemoryWatch() {
            sampler = new Thread(this::loop, "dnnvis-bench-memory");
            sampler.setDaemon(true);
        }

        static MemoryWatch start() {
            MemoryWatch w = new MemoryWatch();
            w.sample();
            w.sampler.start();
            return w;
        }

        void sample() {
            peak.accumulateAndGet(bean.getHeapMemoryUsage().getUsed(), Math::max);
        }

        long peakHeapBytes() {
            sample();
            return peak.get();
        }

        private void loop() {
            while (running) {
                sample();
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** VmHWM of this process; empty where {@code /proc/self/status} does not exist (not Linux). */
        static OptionalLong peakRssBytes() {
            return rssBytes("VmHWM:");
        }

        /** A memory line of {@code /proc/self/status} ({@code VmHWM:}, {@code VmRSS:}) in bytes, if there is one. */
        static OptionalLong rssBytes(String field) {
            Path status = Path.of("/proc/self/status");
            if (!Files.isReadable(status)) {
                return OptionalLong.empty();
            }
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith(field)) {
                        String kb = line.substring(field.length()).replace("kB", "").strip();
                        return OptionalLong.of(Long.parseLong(kb) * 1024);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return OptionalLong.empty();
            }
            return OptionalLong.empty();
        }

        @Override
        public void close() {
            running = false;
            sampler.interrupt();
        }
    }
}
