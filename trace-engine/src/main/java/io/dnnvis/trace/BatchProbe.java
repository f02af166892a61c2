package io.dnnvis.trace;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;

/**
 * Whether a graph rewritten to take batches ({@link ModelRewrites#reshapesFollowingTheBatch}) gives each
 * input of a batch what the original graph gives it alone: two random inputs of different ranges (uniform
 * in [0, 1), and normal around -2) run one at a time on the original and together on the rewritten graph,
 * every output compared. A Reshape whose input's first
 * axis is not the batch mixes the inputs' values and fails this.
 */
final class BatchProbe {

    /**
     * Largest difference allowed, as a share of an output's largest magnitude (batched kernels sum in
     * another order).
     */
    static final double TOLERANCE = 1e-4;

    private BatchProbe() {
    }

    /**
     * A session of {@code model} with a symbolic batch once its Reshapes to a batch of 1 follow the batch
     * ({@link ModelRewrites#reshapesFollowingTheBatch}), kept where batched runs give each input what
     * {@code single} (a session of {@code model} as it is) gives it; null where there is nothing to rewrite,
     * the rewritten graph is refused, or it mixes the inputs.
     *
     * @param open how the caller opens its sessions
     */
    static OrtSession followingTheBatch(ModelProto model, OrtSession single, String input, long[] inputShape,
            Function<ModelProto, OrtSession> open) {
        Optional<ModelProto> freed = ModelRewrites.reshapesFollowingTheBatch(model);
        if (freed.isEmpty()) {
            return null;
        }
        OrtSession dynamic = null;
        try {
            dynamic = open.apply(ModelRewrites.dynamicBatch(freed.get()));
            if (samePerInput(single, dynamic, input, inputShape)) {
                OrtSession kept = dynamic;
                dynamic = null;
                return kept;
            }
        } catch (EngineException | ModelRefusedException | OrtException e) {
            // the rewritten graph does not take batches either: one input at a time
        } finally {
            OrtSessions.closeQuietly(dynamic);
        }
        return null;
    }

    /**
     * @param inputShape the shape of one input (batch 1)
     */
    static boolean samePerInput(OrtSession single, OrtSession batched, String input, long[] inputShape)
            throws OrtException {
        int per = Math.toIntExact(Arrays.stream(inputShape).reduce(1, Math::multiplyExact));
        Random rnd = new Random(7);
        float[] both = new float[2 * per];
        for (int i = 0; i < per; i++) { // two inputs of other ranges: ops that scale by a batch's extremes differ
            both[i] = rnd.nextFloat();
            both[per + i] = (float) (3 * rnd.nextGaussian() - 2);
        }
        Map<String, TensorValue> first = run(single, input, both, 0, per, inputShape);
        Map<String, TensorValue> second = run(single, input, both, per, per, inputShape);
        long[] two = inputShape.clone();
        two[0] = 2;
        Map<String, TensorValue> together = run(batched, input, both, 0, 2 * per, two);
        if (first.isEmpty()) {
            return false; // nothing to compare
        }
        for (Map.Entry<String, TensorValue> e : first.entrySet()) {
            TensorValue b = together.get(e.getKey());
            if (b == null || !matches(e.getValue(), second.get(e.getKey()), b)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b} holds {@code a} then {@code c} (each of batch 1), within {@link #TOLERANCE}. */
    private static boolean matches(TensorValue a, TensorValue c, TensorValue b) {
        long[] one = a.shape();
        long[] expected = one.clone();
        if (c == null || one.length == 0 || one[0] != 1 || !Arrays.equals(c.shape(), one)) {
            return false;
        }
        expected[0] = 2;
        if (!Arrays.equals(b.shape(), expected)) {
            return false;
        }
        float[] x = a.dataView();
        float[] z = c.dataView();
        float[] y = b.dataView();
        double scale = 0;
        for (int i = 0; i < x.length; i++) {
            scale = Math.max(scale, Math.max(Math.abs(x[i]), Math.abs(z[i])));
        }
        double allowed = TOLERANCE * scale + 1e-6;
        for (int i = 0; i < x.length; i++) {
            if (!(Math.abs(y[i] - x[i]) <= allowed) || !(Math.abs(y[x.length + i] - z[i]) <= allowed)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, TensorValue> run(OrtSession session, String input, float[] data, int offset, int count,
            long[] shape) throws OrtException {
        Map<String, TensorValue> out = new HashMap<>();
        try (NativeTensor t = NativeTensor.of(data, offset, count, shape);
                OrtSession.Result r = session.run(Map.of(input, t.tensor()))) {
            for (Map.Entry<String, OnnxValue> e : r) {
                if (e.getValue() instanceof OnnxTensor tensor) {
                    out.put(e.getKey(), OrtTensors.copy(e.getKey(), tensor));
                }
            }
        }
        return out;
    }
}
