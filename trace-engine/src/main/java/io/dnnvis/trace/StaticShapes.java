package io.dnnvis.trace;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorShapeProto;
import io.dnnvis.onnx.proto.OnnxProto.TypeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shape of every node output without running the model and without its weights: the large
 * initializers become graph inputs of their declared type and dims, the graph inputs get the
 * concrete shapes, and ONNX Runtime's shape inference (done when a session is built) fills in the
 * rest. For AlexNet that is a 9 KB graph instead of 233 MB copied into ONNX Runtime and run.
 * Empty when some shape does not come out static (shapes computed from data); callers then run
 * the model.
 */
final class StaticShapes {

    /** Initializers at least this large (bytes of raw data) are replaced by inputs. */
    static final int WEIGHT_BYTES = 1024;

    /**
     * The most nodes whose shapes are found in one piece (one session with every node output a
     * graph output, or a run of the whole graph on zeros): ONNX Runtime's cost of that grows with the
     * square of the node count (100,000 nodes: over a minute). Larger graphs are inferred in segments
     * or refused.
     */
    static final int WHOLE_GRAPH_NODES = 20_000;

    private StaticShapes() {
    }

    /**
     * @param inputShapes concrete shape of every graph input
     * @return tensor name to shape for every node output, or empty
     */
    static Optional<Map<String, long[]>> infer(OnnxModel model, Map<String, long[]> inputShapes,
            EngineOptions options) {
        if (model.runtimeProto().getGraph().getNodeCount() > SegmentedShapes.SEGMENT_NODES) {
            Optional<Map<String, long[]>> segmented = SegmentedShapes.infer(model, inputShapes, options);
            if (segmented.isPresent() || model.runtimeProto().getGraph().getNodeCount() > WHOLE_GRAPH_NODES) {
                return segmented; // ONNX Runtime's cost with every node output an output grows with the square
            }
        }
        GraphProto source = model.runtimeProto().getGraph();
        GraphProto.Builder g = source.toBuilder().clearInitializer().clearInput().clearOutput().clearValueInfo();
        java.util.Set<String> initializers = new java.util.HashSet<>();
        source.getInitializerList().forEach(t -> initializers.add(t.getName()));
        for (ValueInfoProto in : source.getInputList()) {
            long[] shape = inputShapes.get(in.getName());
            if (shape == null) {
                if (initializers.contains(in.getName())) {
                    continue; // an initializer also listed as input (IR < 4): added below
                }
                return Optional.empty();
            }
            g.addInput(withShape(in, shape));
        }
        for (TensorProto t : source.getInitializerList()) {
            if (t.getRawData().size() >= WEIGHT_BYTES) {
                g.addInput(ValueInfoProto.newBuilder().setName(t.getName()).setType(tensorType(t.getDataType(),
                        t.getDimsList().stream().mapToLong(Long::longValue).toArray())));
            } else {
                g.addInitializer(t);
            }
        }
        List<String> outputs = new ArrayList<>();
        for (NodeProto n : source.getNodeList()) {
            for (String out : n.getOutputList()) {
                if (!out.isEmpty()) {
                    outputs.add(out);
                    g.addOutput(ValueInfoProto.newBuilder().setName(out));
                }
            }
        }
        ModelProto weightless = model.runtimeProto().toBuilder().setGraph(g).build();
        try (OrtSession session = OrtSessions.create(weightless, options, model.path(),
                OrtSession.SessionOptions.OptLevel.NO_OPT)) {
            Map<String, NodeInfo> info = session.getOutputInfo();
            Map<String, long[]> shapes = new HashMap<>();
            for (String out : outputs) {
                NodeInfo i = info.get(out);
                if (i == null || !(i.getInfo() instanceof TensorInfo t)) {
                    return Optional.empty();
                }
                long[] shape = t.getShape();
                for (long d : shape) {
                    if (d < 0) {
                        return Optional.empty();
                    }
                }
                shapes.put(out, shape);
            }
            return Optional.of(shapes);
        } catch (OrtException | ModelRefusedException e) {
            return Optional.empty(); // the run will say what is wrong, if anything
        }
    }

    private static ValueInfoProto withShape(ValueInfoProto in, long[] shape) {
        int elemType = in.getType().hasTensorType() ? in.getType().getTensorType().getElemType()
                : TensorProto.DataType.FLOAT_VALUE;
        return in.toBuilder().setType(tensorType(elemType, shape)).build();
    }

    static TypeProto tensorType(int elemType, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))
                .build();
    }
}
