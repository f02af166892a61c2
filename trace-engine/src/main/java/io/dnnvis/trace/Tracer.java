package io.dnnvis.trace;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Quoted;
import io.dnnvis.onnx.ValueInfo;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Runs a model forward on ONNX Runtime and returns any intermediate tensors with the outputs (the
 * successor of the original library's {@code TraceableChain}). The graph is rewritten to expose the
 * requested tensors as extra outputs; one session is built and cached per set of exposed tensors.
 *
 * <pre>{@code
 * try (Tracer tracer = Tracer.open(model)) {
 *     Trace t = tracer.trace(input, List.of("conv4", "relu5"));
 *     INDArray conv4 = t.array(model.graph().layer("conv4").tensor());
 * }
 * }</pre>
 *
 * <p>Thread-safe: runs may go on concurrently; {@link #close()} waits for runs in flight.
 */
public final class Tracer implements AutoCloseable {

    private final OnnxModel model;
    private final EngineOptions options;
    private final Map<List<String>, OrtSession> sessions = new HashMap<>();
    /** Refuses, from the shapes, a run with a tensor that does not fit before it runs. */
    private final ActivationCheck activations;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private Tracer(OnnxModel model, EngineOptions options) {
        this.model = model;
        this.options = options;
        this.activations = new ActivationCheck(model, options);
    }

    public static Tracer open(OnnxModel model) {
        return open(model, EngineOptions.defaults());
    }

    public static Tracer open(OnnxModel model, EngineOptions options) {
        return new Tracer(model, options);
    }

    public OnnxModel model() {
        return model;
    }

    /** The check of a run's tensors this tracer makes before each run (others of the same model may share it). */
    public ActivationCheck activations() {
        return activations;
    }

    /** The graph inputs the caller feeds, in declaration order. */
    public List<ValueInfo> inputs() {
        return model.graph().inputs();
    }

    /** Runs the model on a single-input model's input; returns only the outputs. */
    public Trace run(TensorValue input) {
        return trace(input, List.of());
    }

    /** Single-input models: traces {@code tensors} (tensor names; aliases, node names where no tensor has it). */
    public Trace trace(TensorValue input, Collection<String> tensors) {
        List<ValueInfo> in = inputs();
        if (in.size() != 1) {
            throw new BadInputException(model.path() + ": the model has " + in.size()
                    + " inputs; give each by name");
        }
        return trace(Map.of(in.get(0).name(), input), tensors);
    }

    /**
     * The shape of every node output at the given input shapes: from ONNX Runtime's shape inference
     * on the graph without its weights when that settles every shape (no weights copied, nothing
     * run), else from a run on zeros.
     *
     * @param inputShapes a concrete shape for every graph input
     */
    public Map<String, long[]> shapes(Map<String, long[]> inputShapes) {
        return nodeShapes(inputShapes).shapes();
    }

    /** Every node output's shape and how it was found. */
    public record NodeShapes(Map<String, long[]> shapes, boolean ran) {

        public NodeShapes {
            shapes = java.util.Collections.unmodifiableMap(shapes);
        }
    }

    /**
     * Like {@link #shapes}, saying whether the shapes were inferred ({@code ran} false: nothing was
     * run) or came from a run on zeros.
     */
    public NodeShapes nodeShapes(Map<String, long[]> inputShapes) {
        Optional<Map<String, long[]>> inferred = activations.inferred(inputShapes); // shared with the checks
        if (inferred.isPresent()) {
            return new NodeShapes(inferred.get(), false);
        }
        int nodes = model.graph().nodes().size();
        if (nodes > StaticShapes.WHOLE_GRAPH_NODES) {
            throw new ModelRefusedException(model.path() + ": the shapes of its " + nodes + " nodes cannot be inferred"
                    + " in segments (they depend on data); graphs are run whole for their shapes only up to "
                    + StaticShapes.WHOLE_GRAPH_NODES + " nodes", null);
        }
        Map<String, TensorValue> zeros = new LinkedHashMap<>();
        inputShapes.forEach((name, shape) -> zeros.put(name, TensorValue.zeros(name, shape)));
        Trace trace = traceAll(zeros);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String name : trace.names()) {
            shapes.put(name, trace.shape(name));
        }
        return new NodeShapes(shapes, true);
    }

    /** Traces every node output of the graph. */
    public Trace traceAll(Map<String, TensorValue> inputs) {
        List<String> all = new ArrayList<>();
        for (Node n : model.graph().nodes()) {
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    all.add(out);
                }
            }
        }
        return trace(inputs, all);
    }

    /**
     * Runs the model and returns the requested tensors followed by the model outputs.
     *
     * @param inputs one value per graph input, by input name
     * @param tensors the tensors to keep: tensor names, or aliases and node names where no tensor has that
     *     name ({@link io.dnnvis.onnx.Graph#tensor})
     * @throws TensorTooLargeException when, by the shapes, a tensor the run computes is larger than
     *     {@link EngineOptions#maxTensorBytes()} or all of them more than the memory available
     *     (see {@link ActivationCheck}); nothing has run then
     */
    public Trace trace(Map<String, TensorValue> inputs, Collection<String> tensors) {
        List<String> wanted = resolve(tensors);
        checkActivations(inputs, wanted);
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("tracer is closed");
            }
            OrtSession session = session(wanted);
            return run(session, inputs, wanted);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Checks the tensors the run computes: those the wanted ones and the model outputs depend on. */
    private void checkActivations(Map<String, TensorValue> inputs, List<String> wanted) {
        Map<String, long[]> inputShapes = new LinkedHashMap<>();
        for (ValueInfo declared : inputs()) {
            TensorValue value = inputs.get(declared.name());
            if (value == null) {
                return; // the run says which one is missing
            }
            inputShapes.put(declared.name(), value.shape());
        }
        List<String> targets = new ArrayList<>(wanted);
        model.graph().outputs().forEach(out -> targets.add(out.name()));
        activations.check(targets, inputShapes, false);
    }

    private List<String> resolve(Collection<String> names) {
        Graph g = model.graph();
        Set<String> out = new LinkedHashSet<>();
        for (String name : names) {
            out.add(g.tensor(name));
        }
        return List.copyOf(out);
    }

    private OrtSession session(List<String> exposed) {
        List<String> key = exposed.stream()
                .filter(t -> model.graph().input(t).isEmpty())
                .sorted()
                .toList();
        synchronized (sessions) {
            OrtSession s = sessions.get(key);
            if (s == null) {
                var withOutputs = ModelRewrites.exposeOutputs(model.runtimeProto(), key);
                s = OrtSessions.create(withOutputs, options, model.path());
                sessions.put(key, s);
            }
            return s;
        }
    }

    private Trace run(OrtSession session, Map<String, TensorValue> inputs, List<String> wanted) {
        OrtEnvironment env = OrtSessions.environment();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        List<NativeTensor> natives = new ArrayList<>();
        try {
            for (ValueInfo declared : inputs()) {
                TensorValue value = inputs.get(declared.name());
                if (value == null) {
                    throw new BadInputException(model.path() + ": no value given for input '" + Quoted.name(declared.name()) + "'");
                }
                checkInput(declared, value);
                value.requireFinite(model.path() + ": input '" + Quoted.name(declared.name()) + "'");
                NativeTensor in = NativeTensor.of(value);
                natives.add(in);
                feeds.put(declared.name(), in.tensor());
            }
            for (String name : inputs.keySet()) {
                if (!feeds.containsKey(name)) {
                    throw new BadInputException(model.path() + ": the model has no input '" + name + "'; inputs: "
                            + inputs().stream().map(ValueInfo::name).toList());
                }
            }
            Set<String> fetch = new LinkedHashSet<>();
            for (String t : wanted) {
                if (!feeds.containsKey(t)) {
                    fetch.add(t);
                }
            }
            model.graph().outputs().forEach(o -> fetch.add(o.name()));
            Map<String, TensorValue> values = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds, fetch)) {
                for (String t : wanted) {
                    values.put(t, feeds.containsKey(t) ? inputs.get(t).withName(t) : copyOut(t, result.get(t)));
                }
                for (String t : fetch) {
                    values.computeIfAbsent(t, name -> copyOut(name, result.get(name)));
                }
            }
            return new Trace(values);
        } catch (OrtException e) {
            throw new ModelRefusedException(model.path() + ": ONNX Runtime failed to run the model: "
                    + OrtSessions.oneLine(e.getMessage()), e);
        } finally {
            natives.forEach(NativeTensor::close);
        }
    }

    private void checkInput(ValueInfo declared, TensorValue value) {
        Optional<DataType> type = declared.elemType();
        if (type.isPresent() && type.get() != DataType.FLOAT) {
            throw new BadInputException(model.path() + ": input '" + Quoted.name(declared.name()) + "' is "
                    + type.get().onnxName() + "; dnnvis feeds float32 inputs only");
        }
        if (declared.shape().isEmpty()) {
            return;
        }
        List<Dim> dims = declared.shape().get();
        long[] shape = value.shape();
        boolean ok = dims.size() == shape.length;
        for (int k = 0; ok && k < shape.length; k++) {
            ok = !dims.get(k).isFixed() || dims.get(k).value() == shape[k];
        }
        if (!ok) {
            throw new BadInputException(model.path() + ": input '" + Quoted.name(declared.name()) + "' expects shape " + dims
                    + ", got " + Arrays.toString(shape));
        }
    }

    private TensorValue copyOut(String name, Optional<OnnxValue> value) {
        if (value.isPresent() && !(value.get() instanceof OnnxTensor)) {
            // an output declared without a type that turns out a sequence or a map (SequenceConstruct, ZipMap)
            throw new ModelRefusedException(model.path() + ": '" + Quoted.name(name) + "' is a "
                    + value.get().getType().name().toLowerCase(Locale.ROOT).replace("onnx_type_", "")
                    + ", not a tensor; dnnvis reads tensor outputs only", null);
        }
        if (value.isEmpty()) {
            throw new EngineException("ONNX Runtime returned no tensor for '" + Quoted.name(name) + "'");
        }
        return OrtTensors.copy(name, (OnnxTensor) value.get());
    }

    /** How many sessions are cached (one per set of traced tensors). */
    int sessionCount() {
        synchronized (sessions) {
            return sessions.size();
        }
    }

    /** Closes every cached session; waits for runs in flight. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (sessions) {
                sessions.values().forEach(OrtSessions::closeQuietly);
                sessions.clear();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
