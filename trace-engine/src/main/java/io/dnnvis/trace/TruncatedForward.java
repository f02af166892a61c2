package io.dnnvis.trace;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The forward graph cut at one tensor, run on batches of inputs (occlusion and benchmarks). A
 * model exported with a static batch of 1 gets a symbolic batch when its graph allows it (checked
 * by a run with batch 2); otherwise {@link #batchable()} is false and callers run one input at a time.
 * Thread-safe; close it to free the native session.
 */
public final class TruncatedForward implements AutoCloseable {

    private final OnnxModel model;
    private final String tensor;
    private final String inputName;
    private final long[] inputShape;
    private final OrtSession session;
    private final boolean batchable;
    private final long[] outputShape;
    private final java.util.concurrent.locks.ReadWriteLock lifecycle =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean closed;

    private TruncatedForward(OnnxModel model, String tensor, String inputName, long[] inputShape, OrtSession session,
            boolean batchable, long[] outputShape) {
        this.model = model;
        this.tensor = tensor;
        this.inputName = inputName;
        this.inputShape = inputShape;
        this.session = session;
        this.batchable = batchable;
        this.outputShape = outputShape;
    }

    /**
     * The pass with a probe of batches (see {@link #open(OnnxModel, String, long[], EngineOptions, boolean)}).
     *
     * @param layer the tensor of the cut: its name, or an alias or node name where no tensor has that name
     * @param inputShape shape of one input, batch 1 ({@code [1, C, H, W]})
     */
    public static TruncatedForward open(OnnxModel model, String layer, long[] inputShape, EngineOptions options) {
        return open(model, layer, inputShape, options, true);
    }

    /**
     * @param layer the tensor of the cut: its name, or an alias or node name where no tensor has that name
     * @param inputShape shape of one input, batch 1 ({@code [1, C, H, W]})
     * @param probeBatches whether to learn if the graph takes batches by a run at batch 2 (twice the
     *     tensors of one input); false opens a pass that runs one input at a time, e.g. when two
     *     inputs' tensors would exceed {@link EngineOptions#maxTensorBytes()}
     */
    public static TruncatedForward open(OnnxModel model, String layer, long[] inputShape, EngineOptions options,
            boolean probeBatches) {
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            throw new BadInputException(model.path() + ": the model has " + inputs.size() + " inputs; one is needed");
        }
        if (inputShape.length == 0 || inputShape[0] != 1) {
            throw new BadInputException(model.path() + ": expected one input of batch 1, got shape "
                    + Arrays.toString(inputShape));
        }
        String name = inputs.get(0).name();
        String tensor = model.graph().tensor(layer);
        var truncated = ModelRewrites.truncate(model, tensor);
        if (probeBatches) {
            TruncatedForward batched = openBatched(model, tensor, name, inputShape, truncated, options);
            if (batched != null) {
                return batched;
            }
        }
        OrtSession single = OrtSessions.create(truncated, options, model.path());
        try {
            int values = (int) count(inputShape);
            long[] out = runOnce(single, name, new float[values], 0, values, inputShape).shape();
            OrtSession freed = !probeBatches ? null : BatchProbe.followingTheBatch(truncated, single, name,
                    inputShape, m -> OrtSessions.create(m, options, model.path()));
            if (freed != null) {
                OrtSessions.closeQuietly(single);
                return new TruncatedForward(model, tensor, name, inputShape.clone(), freed, true, out);
            }
            return new TruncatedForward(model, tensor, name, inputShape.clone(), single, false, out);
        } catch (RuntimeException | Error e) {
            OrtSessions.closeQuietly(single);
            throw e;
        } catch (OrtException e) {
            OrtSessions.closeQuietly(single);
            throw new ModelRefusedException(model.path() + ": ONNX Runtime failed to run the model: "
                    + OrtSessions.oneLine(e.getMessage()), e);
        }
    }

    /**
     * The pass with a symbolic batch, when a run of it at batch 2 gives a batch of 2; null when the
     * graph pins its batch (e.g. a Reshape to a constant shape) and inputs must run one at a time.
     */
    private static TruncatedForward openBatched(OnnxModel model, String tensor, String name, long[] inputShape,
            ModelProto truncated, EngineOptions options) {
        OrtSession dynamic = null;
        try {
            dynamic = OrtSessions.create(ModelRewrites.dynamicBatch(truncated), options, model.path());
            long[] probe = inputShape.clone();
            probe[0] = 2;
            int values = (int) count(probe);
            long[] out = runOnce(dynamic, name, new float[values], 0, values, probe).shape();
            if (out.length > 0 && out[0] == 2) {
                out[0] = 1;
                return new TruncatedForward(model, tensor, name, inputShape.clone(), dynamic, true, out);
            }
        } catch (EngineException | ModelRefusedException | OrtException e) {
            // the graph pins its batch: run one input at a time
        }
        if (dynamic != null) {
            OrtSessions.closeQuietly(dynamic);
        }
        return null;
    }

    /** The tensor the graph is cut at. */
    public String tensor() {
        return tensor;
    }

    /** Whether several inputs can run in one call. */
    public boolean batchable() {
        return batchable;
    }

    /** The target's shape for one input (batch 1). */
    public long[] outputShape() {
        return outputShape.clone();
    }

    /**
     * Runs {@code n} inputs stacked row-major in {@code batch} ({@code n * C*H*W} values) and
     * returns the target's values for each, stacked the same way.
     */
    public float[] run(float[] batch, int n) {
        long per = count(inputShape);
        if (batch.length != n * per) {
            throw new IllegalArgumentException("expected " + n * per + " values for " + n + " inputs, got " + batch.length);
        }
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (n > 1 && !batchable) {
                float[] out = new float[Math.toIntExact(n * count(outputShape))];
                int step = (int) count(outputShape);
                for (int k = 0; k < n; k++) {
                    float[] one = runOnce(session, inputName, batch, (int) (k * per), (int) per, inputShape).dataView();
                    System.arraycopy(one, 0, out, k * step, step);
                }
                return out;
            }
            long[] shape = inputShape.clone();
            shape[0] = n;
            return runOnce(session, inputName, batch, 0, batch.length, shape).dataView();
        } catch (OrtException e) {
            throw new ModelRefusedException(model.path() + ": ONNX Runtime failed to run the model: "
                    + OrtSessions.oneLine(e.getMessage()), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private static TensorValue runOnce(OrtSession session, String input, float[] data, int offset, int count,
            long[] shape) throws OrtException {
        try (NativeTensor t = NativeTensor.of(data, offset, count, shape);
                OrtSession.Result r = session.run(Map.of(input, t.tensor()))) {
            return OrtTensors.copy("out", (OnnxTensor) r.get(0));
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
