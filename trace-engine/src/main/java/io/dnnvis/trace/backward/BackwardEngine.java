package io.dnnvis.trace.backward;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.BadInputException;
import io.dnnvis.trace.EngineException;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.NativeTensor;
import io.dnnvis.trace.OrtSessions;
import io.dnnvis.trace.OrtTensors;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import io.dnnvis.trace.TruncatedForward;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Compiles backward graphs and runs them on ONNX Runtime. One session is compiled and cached per
 * (target, rule set, pooling, start, signals, input shape); visualizing another neuron of the same
 * layer, or many at once, reuses it. Thread-safe; {@link #close()} waits for runs in flight.
 */
public final class BackwardEngine implements AutoCloseable {

    private record Key(String target, RuleSet rules, Pooling pooling, StartSignal start, boolean signals,
            List<Long> inputShape, boolean fromChannel, boolean oneSignal) {
    }

    private record Compiled(CompiledBackward graph, OrtSession session) {
    }

    private record ProbeKey(String target, List<Long> inputShape) {
    }

    private final OnnxModel model;
    private final EngineOptions options;
    private final int maxBatch;
    private final Tracer tracer;
    private final Map<Key, Compiled> sessions = new HashMap<>();
    private final Map<ProbeKey, ShapeProbe> probes = new HashMap<>();
    /** Forward passes cut at a target, for targets a one-channel graph leaves out (see {@link BackwardResult}). */
    private final Map<ProbeKey, TruncatedForward> forwards = new HashMap<>();
    /** Per general key: whether its target can start from one channel (see {@link ChannelStartRule}). */
    private final Map<Key, Boolean> startable = new HashMap<>();
    private boolean channelStarts = true;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private BackwardEngine(OnnxModel model, EngineOptions options, int maxBatch) {
        this.model = model;
        this.options = options;
        this.maxBatch = maxBatch;
        this.tracer = Tracer.open(model, options);
    }

    public static BackwardEngine open(OnnxModel model, EngineOptions options) {
        return new BackwardEngine(model, options, MAX_BATCH);
    }

    /** An engine that runs at most {@code maxBatch} start signals together (tests of the splitting). */
    static BackwardEngine open(OnnxModel model, EngineOptions options, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        return new BackwardEngine(model, options, maxBatch);
    }

    public OnnxModel model() {
        return model;
    }

    /** The forward tracer of the same model (shares nothing native with the backward sessions). */
    public Tracer tracer() {
        return tracer;
    }

    /**
     * The static shape of {@code target} (alias, node name or tensor name) and of every tensor it
     * depends on, at {@code inputShape}: one forward run of the graph cut at the target, on zeros,
     * cached per (target, input shape).
     */
    public Map<String, long[]> shapes(String target, long[] inputShape) {
        return probe(model.graph().layer(target).tensor(), inputShape).shapes();
    }

    /**
     * About how many bytes of native memory one selection (one neuron) adds to a run of the backward
     * graph for {@code target}: every tensor the target depends on, as a forward value and a signal.
     * Callers split large neuron sets into runs that fit.
     */
    public long bytesPerSelection(String target, long[] inputShape) {
        long floats = 0;
        for (long[] shape : shapes(target, inputShape).values()) {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            floats = Math.addExact(floats, n);
        }
        return Math.multiplyExact(floats, 2L * Float.BYTES);
    }

    /**
     * How many start signals run together: as many as fit in {@link #BATCH_BYTES} by
     * {@link #bytesPerSelection}, at most {@link #MAX_BATCH}, at least one. Larger neuron sets run
     * in several runs of the same session, joined in order.
     */
    public int batchLimit(String target, long[] inputShape) {
        long fit = BATCH_BYTES / Math.max(1, bytesPerSelection(target, inputShape));
        return (int) Math.max(1, Math.min(maxBatch, fit));
    }

    /** Native memory one backward run may take for its batched signals (about). */
    public static final long BATCH_BYTES = 1L << 30;

    /**
     * Start signals per run at most. Measured on AlexNet conv5 (2 cores): per neuron 5.8 ms in
     * batches of 16 or 64, 8.4 ms in one batch of 256 (memory traffic), and a first run of 8.5 s
     * instead of 1.9 s.
     */
    public static final int MAX_BATCH = 64;

    private ShapeProbe probe(String targetTensor, long[] inputShape) {
        ProbeKey key = new ProbeKey(targetTensor, Arrays.stream(inputShape).boxed().toList());
        synchronized (probes) {
            ShapeProbe p = probes.get(key);
            if (p == null) {
                p = ShapeProbe.run(model, targetTensor, singleInput().name(), inputShape, options);
                probes.put(key, p);
            }
            return p;
        }
    }

    /**
     * Runs the backward graph of {@code spec} for B start signals at once.
     *
     * @param selections B row-major masks of the target's shape: 1 where a neuron is selected
     */
    public BackwardResult run(BackwardSpec spec, TensorValue input, List<float[]> selections) {
        if (selections.isEmpty()) {
            throw new IllegalArgumentException("no neurons selected");
        }
        lifecycle.readLock().lock();
        try {
            long[] targetShape = prepare(spec, input);
            Optional<ChannelSelections> channels = startsFromChannel(spec, input.shape())
                    ? ChannelSelections.of(selections, targetShape) : Optional.empty();
            return channels.isPresent() ? runChunks(spec, input, channels.get(), null)
                    : runChunks(spec, input, null, selections);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Runs the backward graph of {@code spec} for B start signals that are one channel each, as
     * they are where the target can start from one channel (no whole-target masks are made then).
     *
     * @throws IllegalArgumentException when a channel or the number of values does not fit the target
     */
    public BackwardResult run(BackwardSpec spec, TensorValue input, ChannelSelections selections) {
        lifecycle.readLock().lock();
        try {
            long[] targetShape = prepare(spec, input);
            selections.check(targetShape);
            return startsFromChannel(spec, input.shape()) ? runChunks(spec, input, selections, null)
                    : runChunks(spec, input, null, selections.masks(targetShape));
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Checks the engine and the input before a run; the target's shape. */
    private long[] prepare(BackwardSpec spec, TensorValue input) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        input.requireFinite(model.path() + ": input '" + input.name() + "'");
        checkInput(input.shape());
        return shapes(spec.targetTensor(), input.shape()).get(spec.targetTensor());
    }

    /**
     * The runs for either one-channel {@code channels} (on the graph that starts from one channel)
     * or whole-target {@code masks}, in chunks of at most {@link #batchLimit} selections.
     */
    private BackwardResult runChunks(BackwardSpec spec, TensorValue input, ChannelSelections channels,
            List<float[]> masks) {
        int count = channels != null ? channels.size() : masks.size();
        // a single neuron gets the graph made for one signal (faster), larger sets the one made for many
        Compiled c = compiled(spec, input.shape(), channels != null, count == 1);
        int limit = batchLimit(spec.targetTensor(), input.shape());
        long[] imageShape = input.shape();
        int perImage = Math.toIntExact(Arrays.stream(imageShape).reduce(1, Math::multiplyExact));
        float[] reconstruction = new float[Math.multiplyExact(perImage, count)];
        List<Chunk> parts = new ArrayList<>();
        for (int from = 0; from < count; from += limit) {
            int to = Math.min(count, from + limit);
            parts.add(channels != null
                    ? executeOneChannel(c, input, channels, from, to, reconstruction, from * perImage)
                    : execute(c, input, masks.subList(from, to), reconstruction, from * perImage));
        }
        imageShape[0] = count;
        TensorValue all = TensorValue.owning(c.graph().reconstructionOutput(), imageShape, reconstruction);
        return merge(all, parts, () -> forwardValue(spec.targetTensor(), input));
    }

    /** The compiled graph for {@code spec} at {@code inputShape} (compiling it if needed). */
    public CompiledBackward compile(BackwardSpec spec, long[] inputShape) {
        return compile(spec, inputShape, false);
    }

    /**
     * The compiled graph for {@code spec} at {@code inputShape}; with {@code fromChannel}, the one that
     * starts from one channel per selection where the target allows it (what {@link #run} uses for
     * the usual one-channel neurons), for several selections per run.
     */
    public CompiledBackward compile(BackwardSpec spec, long[] inputShape, boolean fromChannel) {
        return compile(spec, inputShape, fromChannel, false);
    }

    /**
     * As {@link #compile(BackwardSpec, long[], boolean)}; with {@code oneSignal}, the graph made for one
     * selection per run, which {@link #run} uses for a single neuron (see {@link RuleContext#oneSignal}).
     */
    public CompiledBackward compile(BackwardSpec spec, long[] inputShape, boolean fromChannel, boolean oneSignal) {
        lifecycle.readLock().lock();
        try {
            return compiled(spec, inputShape, fromChannel && startsFromChannel(spec, inputShape), oneSignal).graph();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Turns starting from one channel off (on by default): every run then uses the graph that takes
     * whole selections. For comparing the two.
     */
    void startFromChannels(boolean on) {
        synchronized (sessions) {
            channelStarts = on;
        }
    }

    private boolean startsFromChannel(BackwardSpec spec, long[] inputShape) {
        if (spec.signals()) {
            return false; // the signal at every tensor, the target's included, comes from the whole graph
        }
        Key general = key(spec, inputShape, false, false);
        synchronized (sessions) {
            if (!channelStarts) {
                return false;
            }
            Boolean known = startable.get(general);
            if (known == null) {
                known = BackwardCompiler.canStartFromChannel(model, spec.targetTensor(), spec.rules(),
                        probe(spec.targetTensor(), inputShape).shapes());
                startable.put(general, known);
            }
            return known;
        }
    }

    private static Key key(BackwardSpec spec, long[] inputShape, boolean fromChannel, boolean oneSignal) {
        return new Key(spec.targetTensor(), spec.rules(), spec.pooling(), spec.start(), spec.signals(),
                Arrays.stream(inputShape).boxed().toList(), fromChannel, oneSignal);
    }

    /**
     * The compiled graph and session for one key. The graphs for one signal and for many are the
     * same unless a rule chose its form by the count: then one session serves both keys.
     */
    private Compiled compiled(BackwardSpec spec, long[] inputShape, boolean fromChannel, boolean oneSignal) {
        checkInput(inputShape);
        Key key = key(spec, inputShape, fromChannel, oneSignal);
        Key otherCount = key(spec, inputShape, fromChannel, !oneSignal);
        synchronized (sessions) {
            Compiled c = sessions.get(key);
            if (c == null) {
                Compiled other = sessions.get(otherCount);
                if (other != null && !other.graph().dependsOnSignalCount()) {
                    c = other;
                } else {
                    ShapeProbe probe = probe(spec.targetTensor(), inputShape);
                    CompiledBackward graph = BackwardCompiler.compile(model, spec.targetTensor(), spec.rules(),
                            spec.pooling(), spec.start(), probe.shapes(), probe.smallValues(), spec.signals(),
                            fromChannel, oneSignal);
                    c = new Compiled(graph, OrtSessions.create(graph.model(), options, model.path()));
                    if (!graph.dependsOnSignalCount()) {
                        sessions.put(otherCount, c);
                    }
                }
                sessions.put(key, c);
            }
            return c;
        }
    }

    /** The cached sessions, each once (one may serve two keys). */
    private Set<Compiled> distinctSessions() {
        Set<Compiled> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.addAll(sessions.values());
        return distinct;
    }

    private void checkInput(long[] shape) {
        ValueInfo input = singleInput();
        if (shape.length == 0 || shape[0] != 1) {
            throw new BadInputException(model.path() + ": backward nets take one input image (batch 1), got shape "
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

    /**
     * One run for {@code selections}; the reconstruction goes straight from ONNX Runtime's output
     * buffer into {@code reconstruction} at {@code offset}, the result holds the rest.
     */
    private Chunk execute(Compiled c, TensorValue input, List<float[]> selections, float[] reconstruction,
            int offset) {
        CompiledBackward g = c.graph();
        long[] targetShape = g.targetShape();
        int per = Math.toIntExact(Arrays.stream(targetShape).reduce(1, Math::multiplyExact));
        int b = selections.size();
        float[] selection = new float[Math.multiplyExact(b, per)];
        for (int k = 0; k < b; k++) {
            float[] s = selections.get(k);
            if (s.length != per) {
                throw new IllegalArgumentException("selection " + k + " has " + s.length + " values, the target has " + per);
            }
            System.arraycopy(s, 0, selection, k * per, per);
        }
        long[] selectionShape = new long[targetShape.length + 1];
        selectionShape[0] = b;
        System.arraycopy(targetShape, 0, selectionShape, 1, targetShape.length);
        try (NativeTensor mask = NativeTensor.of(selection, 0, selection.length, selectionShape)) {
            return execute(c, input, b, Map.of(g.selectionInput(), mask.tensor()), reconstruction, offset);
        } catch (OrtException e) {
            throw failed(e);
        }
    }

    /** One run for selections {@code [from, to)} of {@code selections}, one channel each. */
    private Chunk executeOneChannel(Compiled c, TensorValue input, ChannelSelections selections, int from, int to,
            float[] reconstruction, int offset) {
        CompiledBackward g = c.graph();
        long[] shape = g.targetShape();
        shape[1] = 1;
        int per = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        long[] selectionShape = new long[shape.length + 1];
        selectionShape[0] = to - from;
        System.arraycopy(shape, 0, selectionShape, 1, shape.length);
        long[] channels = Arrays.copyOfRange(selections.channelsView(), from, to);
        try (NativeTensor mask = NativeTensor.of(selections.valuesView(), from * per, (to - from) * per, selectionShape);
                OnnxTensor channel = OnnxTensor.createTensor(OrtSessions.environment(), channels)) {
            return execute(c, input, to - from,
                    Map.of(g.selectionInput(), mask.tensor(), g.channelInput(), channel), reconstruction, offset);
        } catch (OrtException e) {
            throw failed(e);
        }
    }

    private Chunk execute(Compiled c, TensorValue input, int b, Map<String, OnnxTensor> selectionFeeds,
            float[] reconstruction, int offset) throws OrtException {
        CompiledBackward g = c.graph();
        PhaseLayout phases = g.reconstructionPhases();
        long[] outputShape = input.shape();
        outputShape[0] = b;
        if (phases != null) {
            outputShape = phases.phaseShape(b);
        }
        try (NativeTensor image = NativeTensor.of(input);
                NativeTensor out = NativeTensor.output(outputShape)) {
            Map<String, OnnxTensor> feeds = new HashMap<>(selectionFeeds);
            feeds.put(g.imageInput(), image.tensor());
            Set<String> fetch = new LinkedHashSet<>();
            if (!g.targetOutput().isEmpty()) {
                fetch.add(g.targetOutput());
            }
            fetch.addAll(g.signalOutputs().values());
            try (OrtSession.Result result = c.session().run(feeds, fetch,
                    Map.of(g.reconstructionOutput(), out.tensor()))) {
                if (phases != null) {
                    phases.interleave(out.values(), b, reconstruction, offset);
                } else {
                    out.copyTo(reconstruction, offset);
                }
                TensorValue target = g.targetOutput().isEmpty() ? null : copy(g.targetOutput(), result);
                Map<String, TensorValue> signals = new LinkedHashMap<>();
                g.signalOutputs().forEach((tensor, output) -> signals.put(tensor, copy(output, result).withName(tensor)));
                return new Chunk(target, signals);
            }
        }
    }

    private EngineException failed(OrtException e) {
        return new EngineException(model.path() + ": ONNX Runtime failed to run the backward graph: "
                + e.getMessage().replaceAll("\\s+", " "), e);
    }

    /** What one run returns besides the reconstruction; {@code target} is null when the graph leaves it out. */
    private record Chunk(TensorValue target, Map<String, TensorValue> signals) {
    }

    /**
     * The runs over consecutive groups of start signals as one result (the target is the same in
     * each); {@code later} computes the target when the graph left it out.
     */
    private static BackwardResult merge(TensorValue reconstruction, List<Chunk> parts, Supplier<TensorValue> later) {
        Map<String, TensorValue> signals = new LinkedHashMap<>();
        for (String tensor : parts.get(0).signals().keySet()) {
            signals.put(tensor, TensorValue.concatFirstAxis(parts.stream().map(p -> p.signals().get(tensor)).toList()));
        }
        TensorValue target = parts.get(0).target();
        return target == null ? BackwardResult.withTargetLater(reconstruction, later, signals)
                : new BackwardResult(reconstruction, target, signals);
    }

    /** The forward value of {@code tensor} for {@code input}, from a cached forward pass cut there. */
    private TensorValue forwardValue(String tensor, TensorValue input) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed; the target's value was not computed before");
            }
            ProbeKey key = new ProbeKey(tensor, Arrays.stream(input.shape()).boxed().toList());
            TruncatedForward forward;
            synchronized (forwards) {
                forward = forwards.get(key);
            }
            if (forward == null) {
                // opened outside the lock: a first target() of one layer does not hold up another's
                TruncatedForward opened = TruncatedForward.open(model, tensor, input.shape(), options);
                synchronized (forwards) {
                    forward = forwards.putIfAbsent(key, opened);
                }
                if (forward == null) {
                    forward = opened;
                } else {
                    opened.close(); // another thread opened it meanwhile
                }
            }
            if (!forward.tensor().equals(tensor)) {
                throw new EngineException(model.path() + ": '" + tensor + "' names another layer's tensor ('"
                        + forward.tensor() + "'); its value cannot be computed");
            }
            return TensorValue.owning(tensor, forward.outputShape(), forward.run(input.data(), 1));
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private static TensorValue copy(String name, OrtSession.Result result) {
        OnnxValue v = result.get(name).orElseThrow(() -> new EngineException("no output '" + name + "'"));
        return OrtTensors.copy(name, (OnnxTensor) v);
    }

    /** Closes every cached session and the tracer; waits for runs in flight. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (sessions) {
                distinctSessions().forEach(c -> OrtSessions.closeQuietly(c.session()));
                sessions.clear();
            }
            synchronized (forwards) {
                forwards.values().forEach(TruncatedForward::close);
                forwards.clear();
            }
            tracer.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** How many compiled sessions are cached. */
    public int compiledCount() {
        synchronized (sessions) {
            return distinctSessions().size();
        }
    }
}
