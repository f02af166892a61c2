package io.dnnvis.trace.backward;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.BadInputException;
import io.dnnvis.trace.EngineException;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.OrtSessions;
import io.dnnvis.trace.OrtTensors;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Trace;
import io.dnnvis.trace.Tracer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Compiles backward graphs and runs them on ONNX Runtime. One session is compiled and cached per
 * (target, rule set, pooling, start, signals, input shape); visualizing another neuron of the same
 * layer, or many at once, reuses it. Thread-safe; {@link #close()} waits for runs in flight.
 */
public final class BackwardEngine implements AutoCloseable {

    private record Key(String target, RuleSet rules, Pooling pooling, StartSignal start, boolean signals,
            List<Long> inputShape) {
    }

    private record Compiled(CompiledBackward graph, OrtSession session) {
    }

    private final OnnxModel model;
    private final EngineOptions options;
    private final Tracer tracer;
    private final Map<Key, Compiled> sessions = new HashMap<>();
    private final Map<List<Long>, Map<String, long[]>> shapes = new HashMap<>();
    private final Map<List<Long>, Map<String, TensorValue>> smallValues = new HashMap<>();
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private BackwardEngine(OnnxModel model, EngineOptions options) {
        this.model = model;
        this.options = options;
        this.tracer = Tracer.open(model, options);
    }

    public static BackwardEngine open(OnnxModel model, EngineOptions options) {
        return new BackwardEngine(model, options);
    }

    public OnnxModel model() {
        return model;
    }

    /** The forward tracer of the same model (shares nothing native with the backward sessions). */
    public Tracer tracer() {
        return tracer;
    }

    /**
     * The static shape of every tensor at {@code inputShape} (one forward run on zeros, cached).
     */
    public Map<String, long[]> shapes(long[] inputShape) {
        List<Long> key = Arrays.stream(inputShape).boxed().toList();
        synchronized (shapes) {
            Map<String, long[]> known = shapes.get(key);
            if (known == null) {
                ValueInfo input = singleInput();
                Trace t = tracer.traceAll(Map.of(input.name(), TensorValue.zeros(input.name(), inputShape)));
                known = new HashMap<>();
                Map<String, TensorValue> small = new HashMap<>();
                for (String name : t.names()) {
                    known.put(name, t.shape(name));
                    if (t.get(name).elementCount() <= SMALL_VALUE_LIMIT) {
                        small.put(name, t.get(name));
                    }
                }
                known.put(input.name(), inputShape.clone());
                shapes.put(key, known);
                smallValues.put(key, small);
            }
            return known;
        }
    }

    /** Tensors this small are kept from the shape probe: shape computations' values (Slice starts...). */
    private static final int SMALL_VALUE_LIMIT = 64;

    private Map<String, TensorValue> smallValues(long[] inputShape) {
        shapes(inputShape);
        synchronized (shapes) {
            return smallValues.get(Arrays.stream(inputShape).boxed().toList());
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
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            input.requireFinite(model.path() + ": input '" + input.name() + "'");
            Compiled c = compiled(spec, input.shape());
            return execute(c, input, selections);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** The compiled graph for {@code spec} at {@code inputShape} (compiling it if needed). */
    public CompiledBackward compile(BackwardSpec spec, long[] inputShape) {
        lifecycle.readLock().lock();
        try {
            return compiled(spec, inputShape).graph();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private Compiled compiled(BackwardSpec spec, long[] inputShape) {
        checkInput(inputShape);
        Key key = new Key(spec.targetTensor(), spec.rules(), spec.pooling(), spec.start(), spec.signals(),
                Arrays.stream(inputShape).boxed().toList());
        synchronized (sessions) {
            Compiled c = sessions.get(key);
            if (c == null) {
                CompiledBackward graph = BackwardCompiler.compile(model, spec.targetTensor(), spec.rules(),
                        spec.pooling(), spec.start(), shapes(inputShape), smallValues(inputShape), spec.signals());
                OrtSession session = OrtSessions.create(graph.model().toByteArray(), options, model.path());
                c = new Compiled(graph, session);
                sessions.put(key, c);
            }
            return c;
        }
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

    private BackwardResult execute(Compiled c, TensorValue input, List<float[]> selections) {
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
        OrtEnvironment env = OrtSessions.environment();
        try (OnnxTensor image = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), input.shape());
                OnnxTensor mask = OnnxTensor.createTensor(env, FloatBuffer.wrap(selection), selectionShape)) {
            Map<String, OnnxTensor> feeds = Map.of(g.imageInput(), image, g.selectionInput(), mask);
            try (OrtSession.Result result = c.session().run(feeds)) {
                TensorValue reconstruction = copy(g.reconstructionOutput(), result);
                TensorValue target = copy(g.targetOutput(), result);
                Map<String, TensorValue> signals = new LinkedHashMap<>();
                g.signalOutputs().forEach((tensor, output) -> signals.put(tensor, copy(output, result).withName(tensor)));
                return new BackwardResult(reconstruction, target, signals);
            }
        } catch (OrtException e) {
            throw new EngineException(model.path() + ": ONNX Runtime failed to run the backward graph: "
                    + e.getMessage().replaceAll("\\s+", " "), e);
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
                sessions.values().forEach(c -> OrtSessions.closeQuietly(c.session()));
                sessions.clear();
            }
            tracer.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** How many compiled sessions are cached. */
    public int compiledCount() {
        synchronized (sessions) {
            return sessions.size();
        }
    }
}
