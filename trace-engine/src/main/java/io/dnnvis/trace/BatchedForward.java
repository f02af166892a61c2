package io.dnnvis.trace;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Quoted;
import io.dnnvis.onnx.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One forward run per batch of inputs that returns several tensors at once: the tensors asked for
 * and the model's outputs (a dataset audit reads every layer it watches and the prediction from
 * the same run). A model exported with a static batch of 1 gets a symbolic batch when its graph
 * allows it (checked by a run with batch 2, as {@link TruncatedForward} does); otherwise
 * {@link #batchable()} is false and {@link #run} feeds the inputs one at a time. Thread-safe; close it
 * to free the native session.
 */
public final class BatchedForward implements AutoCloseable {

    private final OnnxModel model;
    private final String inputName;
    private final long[] inputShape;
    private final List<String> fetched;
    private final OrtSession session;
    private final boolean batchable;
    private final java.util.concurrent.locks.ReadWriteLock lifecycle =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean closed;

    private BatchedForward(OnnxModel model, String inputName, long[] inputShape, List<String> fetched,
            OrtSession session, boolean batchable) {
        this.model = model;
        this.inputName = inputName;
        this.inputShape = inputShape;
        this.fetched = fetched;
        this.session = session;
        this.batchable = batchable;
    }

    /**
     * @param tensors tensor names (resolved, not aliases) to return besides the model outputs
     * @param inputShape the shape of one input, batch 1
     */
    public static BatchedForward open(OnnxModel model, List<String> tensors, long[] inputShape, EngineOptions options) {
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            throw new BadInputException(model.path() + ": the model has " + inputs.size() + " inputs; one is needed");
        }
        if (inputShape.length == 0 || inputShape[0] != 1) {
            throw new BadInputException(model.path() + ": expected one input of batch 1, got shape "
                    + Arrays.toString(inputShape));
        }
        String name = inputs.get(0).name();
        Set<String> fetch = new LinkedHashSet<>(tensors);
        model.graph().outputs().forEach(o -> fetch.add(o.name()));
        List<String> fetched = List.copyOf(fetch);
        var exposed = ModelRewrites.exposeOutputs(model.runtimeProto(), fetched);
        OrtSession dynamic = null;
        try {
            dynamic = OrtSessions.createWithoutSpinning(ModelRewrites.dynamicBatch(exposed), options, model.path());
            long[] probe = inputShape.clone();
            probe[0] = 2;
            BatchedForward candidate = new BatchedForward(model, name, inputShape.clone(), fetched, dynamic, true);
            Map<String, TensorValue> out = candidate.runOnce(new float[(int) count(probe)], probe);
            if (out.values().stream().allMatch(v -> v.rank() > 0 && v.shape()[0] == 2)) {
                return candidate;
            }
        } catch (EngineException | ModelRefusedException | OrtException e) {
            // the graph pins its batch (a Reshape to a constant shape): one input at a time
        }
        if (dynamic != null) {
            OrtSessions.closeQuietly(dynamic);
        }
        OrtSession single = OrtSessions.createWithoutSpinning(exposed, options, model.path());
        OrtSession freed;
        try {
            freed = BatchProbe.followingTheBatch(exposed, single, name, inputShape,
                    m -> OrtSessions.createWithoutSpinning(m, options, model.path()));
        } catch (RuntimeException | Error e) {
            OrtSessions.closeQuietly(single);
            throw e;
        }
        if (freed != null) {
            OrtSessions.closeQuietly(single);
            return new BatchedForward(model, name, inputShape.clone(), fetched, freed, true);
        }
        return new BatchedForward(model, name, inputShape.clone(), fetched, single, false);
    }

    /** Whether several inputs run in one call. */
    public boolean batchable() {
        return batchable;
    }

    /** The tensors each run returns: those asked for, then the model outputs. */
    public List<String> tensors() {
        return fetched;
    }

    /**
     * Runs {@code n} inputs stacked row-major in {@code batch} and returns every fetched tensor with
     * a leading axis of {@code n}.
     */
    public Map<String, TensorValue> run(float[] batch, int n) {
        long per = count(inputShape);
        if (batch.length != n * per) {
            throw new IllegalArgumentException("expected " + n * per + " values for " + n + " inputs, got " + batch.length);
        }
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (batchable || n == 1) {
                long[] shape = inputShape.clone();
                shape[0] = n;
                return runOnce(batch, shape);
            }
            List<Map<String, TensorValue>> parts = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                parts.add(runOnce(Arrays.copyOfRange(batch, (int) (k * per), (int) ((k + 1) * per)), inputShape));
            }
            Map<String, TensorValue> joined = new LinkedHashMap<>();
            for (String t : fetched) {
                joined.put(t, TensorValue.concatFirstAxis(parts.stream().map(p -> p.get(t)).toList()));
            }
            return joined;
        } catch (OrtException e) {
            throw new ModelRefusedException(model.path() + ": ONNX Runtime failed to run the model: "
                    + OrtSessions.oneLine(e.getMessage()), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private Map<String, TensorValue> runOnce(float[] data, long[] shape) throws OrtException {
        try (NativeTensor t = NativeTensor.of(data, 0, data.length, shape);
                OrtSession.Result r = session.run(Map.of(inputName, t.tensor()), new LinkedHashSet<>(fetched))) {
            Map<String, TensorValue> out = new LinkedHashMap<>();
            for (String name : fetched) {
                Optional<OnnxValue> v = r.get(name);
                if (v.isEmpty() || !(v.get() instanceof OnnxTensor tensor)) {
                    throw new ModelRefusedException(model.path() + ": '" + Quoted.name(name)
                            + "' is not a tensor; dnnvis reads tensor outputs only", null);
                }
                out.put(name, OrtTensors.copy(name, tensor));
            }
            return out;
        }
    }

    private static long count(long[] shape) {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    /** Frees the session; waits for runs in flight. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                OrtSessions.closeQuietly(session);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
