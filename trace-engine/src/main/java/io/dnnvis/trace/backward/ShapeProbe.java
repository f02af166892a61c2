package io.dnnvis.trace.backward;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.ModelRefusedException;
import io.dnnvis.trace.ModelRewrites;
import io.dnnvis.trace.OrtSessions;
import io.dnnvis.trace.OrtTensors;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The static shapes of a target tensor and of every tensor it depends on, from one run of the
 * forward graph cut at the target on a zero input. Only that part of the model is handed to ONNX
 * Runtime (for AlexNet's conv5: the convolutions, not the 200 MB of fully-connected weights), and
 * the session lives only for the probe.
 *
 * @param shapes tensor name to shape, the input included
 * @param smallValues the values of tensors with at most {@link #SMALL_VALUE_LIMIT} elements (shape
 *     computations: Slice starts, Reshape targets...) with their element types, which the compiler
 *     may fold into constants
 */
record ShapeProbe(Map<String, long[]> shapes, Map<String, Tensor> smallValues) {

    /** Tensors this small keep their probed values. */
    static final int SMALL_VALUE_LIMIT = 64;

    ShapeProbe {
        shapes = Map.copyOf(shapes);
        smallValues = Map.copyOf(smallValues);
    }

    /**
     * Runs the graph cut at {@code target} on zeros of {@code inputShape} fed to {@code inputName}.
     * A batch of several images runs on a model exported with a batch of 1 where its graph allows
     * (the shapes then say whether it did).
     */
    static ShapeProbe run(OnnxModel model, String target, String inputName, long[] inputShape,
            EngineOptions options) {
        ModelProto truncated = ModelRewrites.truncate(model, target);
        boolean openBatch = model.graph().inputs().stream().allMatch(ValueInfo::hasOpenBatch);
        if (inputShape.length > 0 && inputShape[0] != 1 && !openBatch) {
            truncated = ModelRewrites.dynamicBatch(truncated); // a batch where the graph allows one
        }
        List<String> exposed = new ArrayList<>();
        for (NodeProto n : truncated.getGraph().getNodeList()) {
            for (String out : n.getOutputList()) {
                if (!out.isEmpty()) {
                    exposed.add(out);
                }
            }
        }
        ModelProto probed = ModelRewrites.exposeOutputs(truncated, exposed);
        Map<String, long[]> shapes = new HashMap<>();
        Map<String, Tensor> small = new HashMap<>();
        shapes.put(inputName, inputShape.clone());
        boolean feedsInput = truncated.getGraph().getInputList().stream()
                .map(ValueInfoProto::getName).anyMatch(inputName::equals);
        try (OrtSession session = OrtSessions.create(probed, options, model.path());
                OnnxTensor zeros = OnnxTensor.createTensor(OrtSessions.environment(),
                        FloatBuffer.wrap(new float[Math.toIntExact(count(inputShape))]), inputShape);
                OrtSession.Result result = session.run(feedsInput ? Map.of(inputName, zeros) : Map.of())) {
            for (Map.Entry<String, OnnxValue> e : result) {
                if (!(e.getValue() instanceof OnnxTensor tensor)) {
                    continue;
                }
                long[] shape = tensor.getInfo().getShape();
                shapes.put(e.getKey(), shape);
                if (tensor.getInfo().getNumElements() <= SMALL_VALUE_LIMIT) {
                    small.put(e.getKey(), OrtTensors.toTensor(e.getKey(), tensor));
                }
            }
        } catch (OrtException e) {
            throw new ModelRefusedException(model.path() + ": ONNX Runtime failed to run the model up to '" + target
                    + "': " + e.getMessage().replaceAll("\\s+", " ").strip(), e);
        }
        return new ShapeProbe(shapes, small);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
