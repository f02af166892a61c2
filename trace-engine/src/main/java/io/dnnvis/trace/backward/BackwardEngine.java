package io.dnnvis.trace.backward;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.ActivationCheck;
import io.dnnvis.trace.BadInputException;
import io.dnnvis.trace.EngineException;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.ForwardPasses;
import io.dnnvis.trace.Memo;
import io.dnnvis.trace.OrtSessions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import io.dnnvis.trace.TruncatedForward;
import io.dnnvis.trace.backward.passes.PassSelection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Compiles backward graphs and runs them on ONNX Runtime. One session is compiled and cached per
 * (spec, input shape, compile options); visualizing another neuron of the same layer, or many at
 * once, reuses it. Thread-safe: different keys compile in parallel, a key compiles once; at most
 * {@link #MAX_SESSIONS} sessions are kept, the least recently used closed. {@link #close()} waits
 * for runs in flight.
 */
public final class BackwardEngine implements AutoCloseable {

    private record Key(BackwardSpec spec, List<Long> inputShape, CompileOptions options) {
    }

    private record ShapeKey(String target, List<Long> inputShape) {
    }

    /** Sessions kept at most (each holds a compiled graph and ONNX Runtime's plan for it). */
    public static final int MAX_SESSIONS = 16;

    /** Native memory one backward run may take for its batched signals (about). */
    public static final long BATCH_BYTES = 1L << 30;

    /**
     * Start signals per run at most. Measured on AlexNet conv5 (2 cores): per neuron 5.8 ms in
     * batches of 16 or 64, 8.4 ms in one batch of 256 (memory traffic), and a first run of 8.5 s
     * instead of 1.9 s.
     */
    public static final int MAX_BATCH = 64;

    private final OnnxModel model;
    private final EngineOptions options;
    private final PassSelection passes;
    private final int maxBatch;
    private final Tracer tracer;
    private final SessionCache<Key> sessions;
    private final Memo<ShapeKey, ShapeProbe> probes = new Memo<>();
    /** Forward passes cut at a target, for targets a one-channel graph leaves out (see {@link BackwardResult}). */
    private final ForwardPasses forwards;
    /** Refuses, from the shapes, a run whose tensors do not fit before the probe runs anything. */
    private final ActivationCheck activations;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private BackwardEngine(OnnxModel model, EngineOptions options, PassSelection passes, int maxBatch,
            int maxSessions) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.model = model;
        this.options = options;
        this.passes = passes;
        this.maxBatch = maxBatch;
        this.sessions = new SessionCache<>(maxSessions);
        this.tracer = Tracer.open(model, options);
        this.activations = tracer.activations();
        this.forwards = ForwardPasses.of(model, options, activations);
    }

    /** An engine with the passes of {@link PassSelection#fromSystemProperty()} (all, unless set otherwise). */
    public static BackwardEngine open(OnnxModel model, EngineOptions options) {
        return open(model, options, PassSelection.fromSystemProperty());
    }

    /** An engine whose compilations may run the {@code passes} given (none: the exact graphs). */
    public static BackwardEngine open(OnnxModel model, EngineOptions options, PassSelection passes) {
        return new BackwardEngine(model, options, passes, MAX_BATCH, MAX_SESSIONS);
    }

    /** An engine that runs at most {@code maxBatch} signals together and keeps {@code maxSessions} sessions (tests). */
    static BackwardEngine open(OnnxModel model, EngineOptions options, PassSelection passes, int maxBatch,
            int maxSessions) {
        return new BackwardEngine(model, options, passes, maxBatch, maxSessions);
    }

    public OnnxModel model() {
        return model;
    }

    public PassSelection passes() {
        return passes;
    }

    /**
     * The forward passes cut at a tensor that this engine opens (and closes with itself): others
     * that need such passes of the same model share them.
     */
    public ForwardPasses forwardPasses() {
        return forwards;
    }

    /** The forward tracer of the same model (shares nothing native with the backward sessions). */
    public Tracer tracer() {
        return tracer;
    }

    /**
     * The static shape of {@code target} (a tensor name; an alias or node name where no tensor has that
     * name: {@link io.dnnvis.onnx.Graph#tensor}) and of every tensor it
     * depends on, at {@code inputShape}: one forward run of the graph cut at the target, on zeros,
     * cached per (target, input shape). Before that run, {@link ActivationCheck} refuses a target
     * whose tensors (forward values and signals of one selection) do not fit.
     *
     * @throws io.dnnvis.trace.TensorTooLargeException when one of them is larger than
     *     {@link EngineOptions#maxTensorBytes()} or all of them more than the memory available
     */
    public Map<String, long[]> shapes(String target, long[] inputShape) {
        return probe(model.graph().tensor(target), inputShape).shapes();
    }

    private ShapeProbe probe(String targetTensor, long[] inputShape) {
        return probes.get(new ShapeKey(targetTensor, boxed(inputShape)),
                k -> {
                    String input = singleInput().name();
                    activations.check(List.of(targetTensor), Map.of(input, inputShape), true);
                    return ShapeProbe.run(model, targetTensor, input, inputShape, options);
                });
    }

    /**
     * About how many bytes of native memory one selection (one neuron) adds to a run of the backward
     * graph for {@code target}: every tensor the target depends on, as a forward value and a signal.
     */
    public long bytesPerSelection(String target, long[] inputShape) {
        long floats = 0;
        for (long[] shape : shapes(target, inputShape).values()) {
            floats = Math.addExact(floats, Arrays.stream(shape).reduce(1, Math::multiplyExact));
        }
        return Math.multiplyExact(floats, 2L * Float.BYTES);
    }

    /**
     * How many start signals run together: as many as fit in {@link #BATCH_BYTES} by
     * {@link #bytesPerSelection} and keep the signal at every tensor (B x the tensor) within
     * {@link EngineOptions#maxTensorBytes()}, at most {@link #MAX_BATCH}, at least one (one selection
     * that does not fit is refused by {@link #shapes}). Larger neuron sets run in several runs of the
     * same session, joined in order.
     */
    public int batchLimit(String target, long[] inputShape) {
        long fit = BATCH_BYTES / Math.max(1, bytesPerSelection(target, inputShape));
        long largest = 1;
        for (long[] shape : shapes(target, inputShape).values()) {
            largest = Math.max(largest, ActivationCheck.bytes(shape));
        }
        fit = Math.min(fit, options.maxTensorBytes() / largest);
        return (int) Math.max(1, Math.min(maxBatch, fit));
    }

    /**
     * Runs the backward graph of {@code spec} for B start signals at once.
     *
     * @param selections B row-major masks of the target's shape: 1 where a neuron is selected (masks
     *     that are each zero but in one channel run as {@link ChannelSelections} do)
     */
    public BackwardResult run(BackwardSpec spec, TensorValue input, List<float[]> selections) {
        if (selections.isEmpty()) {
            throw new IllegalArgumentException("no neurons selected");
        }
        return whileOpen(() -> {
            long[] targetShape = prepare(spec, input);
            Selections given = Selections.ofMasks(selections, targetShape);
            return runAll(spec, input, given, options(selections.size(), given.oneChannelEach() && !spec.signals()));
        });
    }

    /**
     * Runs the backward graph of {@code spec} for B start signals that are one channel each, as the
     * library's neurons are (where the target allows, the graph then starts from those channels).
     *
     * @throws IllegalArgumentException when a channel or the number of values does not fit the target
     */
    public BackwardResult run(BackwardSpec spec, TensorValue input, ChannelSelections selections) {
        return whileOpen(() -> {
            long[] targetShape = prepare(spec, input);
            selections.check(targetShape);
            return runAll(spec, input, Selections.ofChannels(selections, targetShape),
                    options(selections.size(), !spec.signals()));
        });
    }

    /**
     * Runs the backward graph of {@code spec} once on a batch of N independent images
     * {@code [N, ...]}: one start signal, {@code mask} of the target's shape at that batch
     * ({@code [N, ...]}, row-major), so that where no op mixes the batch axis (inference graphs: every
     * CNN) the signal at the input is each image's gradient of its own part of the mask's sum, as a
     * batched autograd gives it. The result's signals are {@code [N, ...]}.
     *
     * @throws BadInputException for a model whose input fixes another batch size
     */
    public BackwardResult runBatch(BackwardSpec spec, TensorValue batch, float[] mask) {
        return whileOpen(() -> {
            batch.requireFinite(model.path() + ": input '" + batch.name() + "'");
            checkInputDims(batch.shape());
            long[] targetShape = shapes(spec.targetTensor(), batch.shape()).get(spec.targetTensor());
            Selections given = Selections.ofMasks(List.of(mask), targetShape);
            return runAll(spec, batch, given, options(1, false));
        });
    }

    /**
     * Runs the backward graph of {@code spec} on a batch of N independent images {@code [N, ...]}
     * for B start signals of one channel each, which may be another channel in each image
     * ({@link ChannelSelections#perImage}): where no op mixes the batch axis (every CNN at
     * inference), signal b's reconstruction of image n is what a run on image n alone gives for its
     * part of the selection, so a dataset audit's rows of N different images share one run. The
     * result's signals are {@code [B * N, ...]}, image n of signal b at {@code b * N + n}. A model
     * exported with a batch of 1 runs such batches where its graph allows.
     *
     * @throws BadInputException when the graph cannot run a batch of N images (a Reshape to a batch of
     *     1 on the way to the target), or the images do not fit the model's input
     * @throws IllegalArgumentException when a channel or the number of values does not fit the target
     */
    public BackwardResult runOnImages(BackwardSpec spec, TensorValue batch, ChannelSelections selections) {
        return whileOpen(() -> {
            batch.requireFinite(model.path() + ": input '" + batch.name() + "'");
            checkImageDims(batch.shape());
            long[] targetShape = shapes(spec.targetTensor(), batch.shape()).get(spec.targetTensor());
            if (targetShape.length == 0 || targetShape[0] != batch.shape()[0]) {
                throw new BadInputException(model.path() + ": the graph does not keep a batch of "
                        + batch.shape()[0] + " images apart on the way to '" + spec.targetTensor() + "'");
            }
            selections.check(targetShape);
            return runAll(spec, batch, Selections.ofChannels(selections, targetShape),
                    options(selections.size(), !spec.signals()));
        });
    }

    /**
     * Whether a batch of {@code images} images keeps them apart up to {@code target}, so that
     * {@link #runOnImages} (or {@link #runBatch}) can run them at once: the target's shape at that
     * batch has a batch axis of {@code images} where one image's has 1, and is the same otherwise (a
     * graph that reshapes to a fixed batch of 1, or folds the batch into another axis, does not; nor
     * does one that cannot run, or cannot hold, a batch that large). Probes the shapes once per
     * (target, batch).
     */
    public boolean runsImagesTogether(String target, long[] oneImage, int images) {
        if (images <= 1) {
            return true;
        }
        String tensor = model.graph().tensor(target);
        long[] atOne = shapes(tensor, oneImage).get(tensor);
        long[] batched = oneImage.clone();
        batched[0] = images;
        long[] atN;
        try {
            atN = shapes(tensor, batched).get(tensor);
        } catch (RuntimeException e) {
            return false; // refused: the graph pins its batch, or a batch of that many does not fit
        }
        return atOne.length > 0 && atOne[0] == 1 && atN.length == atOne.length && atN[0] == images
                && Arrays.equals(Arrays.copyOfRange(atOne, 1, atOne.length), Arrays.copyOfRange(atN, 1, atN.length));
    }

    private CompileOptions options(int signals, boolean channelSelections) {
        return new CompileOptions(passes, signals == 1, channelSelections);
    }

    /**
     * The compiled graph for {@code spec} at {@code inputShape}, as {@link #run} would use it for
     * selections of one channel each ({@code channelSelections}) or of any kind, and for one signal
     * per run or many.
     */
    public CompiledBackward compile(BackwardSpec spec, long[] inputShape, boolean channelSelections,
            boolean oneSignal) {
        return whileOpen(() -> {
            checkInput(inputShape);
            try (SessionCache<Key>.Lease lease = lease(spec, inputShape,
                    new CompileOptions(passes, oneSignal, channelSelections && !spec.signals()))) {
                return lease.graph();
            }
        });
    }

    /**
     * Fails as {@link #run} would where {@code spec}'s backward graph cannot be written (an op on the
     * path without a rule, a setting a rule refuses, an opset too old): compiles it for an input of
     * {@code inputShape}, without an ONNX Runtime session, so that a caller can refuse the request
     * before other work.
     */
    public void check(BackwardSpec spec, long[] inputShape) {
        whileOpen(() -> {
            checkInput(inputShape);
            ShapeProbe probe = probe(spec.targetTensor(), inputShape);
            return BackwardCompiler.compile(model, spec, probe.shapes(), probe.smallValues(),
                    new CompileOptions(passes, false, false));
        });
    }

    /** The compiled graph for whole-target selections, many per run. */
    public CompiledBackward compile(BackwardSpec spec, long[] inputShape) {
        return compile(spec, inputShape, false, false);
    }

    /** How many compiled sessions are cached. */
    public int compiledCount() {
        return sessions.size();
    }

    /** Checks the engine and the input before a run; the target's shape. */
    private long[] prepare(BackwardSpec spec, TensorValue input) {
        input.requireFinite(model.path() + ": input '" + input.name() + "'");
        checkInput(input.shape());
        return shapes(spec.targetTensor(), input.shape()).get(spec.targetTensor());
    }

    /**
     * The session for a key, compiling it if needed; the keys whose graph is the same map to the same
     * session ({@link #servedAlike}).
     */
    private SessionCache<Key>.Lease lease(BackwardSpec spec, long[] inputShape, CompileOptions compileOptions) {
        Key key = new Key(spec, boxed(inputShape), compileOptions);
        SessionCache<Key>.Lease lease = sessions.acquire(key, k -> {
            ShapeProbe probe = probe(spec.targetTensor(), inputShape);
            CompiledBackward graph = BackwardCompiler.compile(model, spec, probe.shapes(), probe.smallValues(),
                    compileOptions);
            return new SessionCache.Compiled(graph, OrtSessions.create(graph.model(), options, model.path()));
        });
        if (lease.compiledNow()) {
            for (CompileOptions same : servedAlike(compileOptions, lease.graph())) {
                sessions.alias(new Key(spec, key.inputShape(), same), lease);
            }
        }
        return lease;
    }

    /**
     * The other options whose graph is this one: with the other signal count where no pass chose
     * its form by the count, and for selections of any kind where the graph takes whole-target ones.
     */
    private static List<CompileOptions> servedAlike(CompileOptions given, CompiledBackward graph) {
        List<CompileOptions> same = new ArrayList<>();
        for (boolean one : new boolean[] {given.oneSignal(), !given.oneSignal()}) {
            for (boolean channels : new boolean[] {given.channelSelections(), !given.channelSelections()}) {
                boolean countOk = one == given.oneSignal() || !graph.dependsOnSignalCount();
                boolean kindOk = channels == given.channelSelections() || !graph.startsFromChannel();
                if (countOk && kindOk && !(one == given.oneSignal() && channels == given.channelSelections())) {
                    same.add(new CompileOptions(given.passes(), one, channels));
                }
            }
        }
        return same;
    }

    /** Every selection, in runs of at most {@link #batchLimit} signals, joined in order. */
    private BackwardResult runAll(BackwardSpec spec, TensorValue input, Selections selections,
            CompileOptions compileOptions) {
        try (SessionCache<Key>.Lease lease = lease(spec, input.shape(), compileOptions)) {
            CompiledBackward g = lease.graph();
            String first = g.sourceOutputs().get(0).about();
            return new GraphRun(g, lease.session(), model.path().toString()).run(input,
                    g.startsFromChannel() ? selections : selections.asMasks(),
                    batchLimit(spec.targetTensor(), input.shape()),
                    shapes(spec.targetTensor(), input.shape()).get(first),
                    () -> forwardValue(spec.targetTensor(), input));
        }
    }

    private <T> T whileOpen(java.util.function.Supplier<T> work) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            return work.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void checkInput(long[] shape) {
        if (shape.length == 0 || shape[0] != 1) {
            throw new BadInputException(model.path() + ": backward nets take one input image (batch 1), got shape "
                    + Arrays.toString(shape));
        }
        checkInputDims(shape);
    }

    /** Fails unless {@code shape}, a batch of images, fits the model input's fixed dimensions but the batch. */
    private void checkImageDims(long[] shape) {
        if (shape.length == 0 || shape[0] < 1) {
            throw new BadInputException(model.path() + ": an input needs a batch axis of at least 1, got shape "
                    + Arrays.toString(shape));
        }
        long[] one = shape.clone();
        one[0] = 1;
        checkInputDims(one);
    }

    /** Fails unless {@code shape} fits the model input's fixed dimensions. */
    private void checkInputDims(long[] shape) {
        ValueInfo input = singleInput();
        if (shape.length == 0 || shape[0] < 1) {
            throw new BadInputException(model.path() + ": an input needs a batch axis of at least 1, got shape "
                    + Arrays.toString(shape));
        }
        input.shape().ifPresent(dims -> {
            boolean ok = dims.size() == shape.length;
            for (int k = 0; ok && k < shape.length; k++) {
                ok = !dims.get(k).isFixed() || dims.get(k).value() == shape[k];
            }
            if (!ok) {
                throw new BadInputException(model.path() + ": input '" + input.name() + "' expects shape " + dims
                        + ", got " + Arrays.toString(shape));
            }
        });
    }

    private ValueInfo singleInput() {
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            throw new BadInputException(model.path() + ": backward nets need a model with one input, this one has "
                    + inputs.size());
        }
        return inputs.get(0);
    }

    /** The forward value of {@code tensor} for {@code input}, from a cached forward pass cut there. */
    private TensorValue forwardValue(String tensor, TensorValue input) {
        return whileOpen(() -> {
            long[] one = input.shape();
            int images = Math.toIntExact(one[0]);
            one[0] = 1;
            TruncatedForward forward = forwards.get(tensor, one);
            if (!forward.tensor().equals(tensor)) {
                throw new EngineException(model.path() + ": '" + tensor + "' names another layer's tensor ('"
                        + forward.tensor() + "'); its value cannot be computed");
            }
            long[] shape = forward.outputShape();
            shape[0] *= images;
            return TensorValue.owning(tensor, shape, forward.run(input.data(), images));
        });
    }

    private static List<Long> boxed(long[] shape) {
        return Arrays.stream(shape).boxed().toList();
    }

    /** Closes every cached session, forward pass and the tracer; waits for runs in flight. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            sessions.close();
            forwards.close();
            tracer.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
