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
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Static shapes of a large graph, found segment by segment: the nodes in file order are cut into
 * segments of {@value #SEGMENT_NODES}, and each segment is inferred on its own, the tensors it reads
 * from earlier segments becoming inputs of the shapes found there. ONNX Runtime's session cost grows
 * with nodes times outputs, so one session exposing every output of a 100k-node graph is quadratic;
 * segments keep both bounded, and the whole costs time linear in the node count. Small integer
 * tensors computed from shapes (Shape, Gather, Concat feeding a Reshape) carry values, not only
 * shapes: their producers are copied into the segment that reads them (up to
 * {@value #MAX_COPIED} nodes), so their values reach shape inference there. Empty when a shape does
 * not come out static; the caller then tries the whole graph.
 */
final class SegmentedShapes {

    /** Nodes per segment. */
    static final int SEGMENT_NODES = 1000;
    /** Most producer nodes copied into one segment to carry integer values across a boundary. */
    static final int MAX_COPIED = 256;
    /** Integer tensors up to this many elements are treated as values that shapes may depend on. */
    private static final long SMALL_INTEGERS = 64;

    private record Known(int elemType, long[] shape) {
    }

    private final OnnxModel model;
    private final GraphProto source;
    private final EngineOptions options;
    private final Map<String, Known> known = new HashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, TensorProto> initializers = new HashMap<>();

    private final int segmentNodes;

    private SegmentedShapes(OnnxModel model, EngineOptions options, int segmentNodes) {
        this.model = model;
        this.segmentNodes = segmentNodes;
        this.source = model.runtimeProto().getGraph();
        this.options = options;
    }

    static Optional<Map<String, long[]>> infer(OnnxModel model, Map<String, long[]> inputShapes,
            EngineOptions options) {
        return infer(model, inputShapes, options, SEGMENT_NODES);
    }

    /** With segments of {@code segmentNodes} nodes (tests cut small graphs into many). */
    static Optional<Map<String, long[]>> infer(OnnxModel model, Map<String, long[]> inputShapes,
            EngineOptions options, int segmentNodes) {
        return new SegmentedShapes(model, options, segmentNodes).run(inputShapes);
    }

    private Optional<Map<String, long[]>> run(Map<String, long[]> inputShapes) {
        source.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        for (ValueInfoProto in : source.getInputList()) {
            long[] shape = inputShapes.get(in.getName());
            if (shape != null) {
                int type = in.getType().hasTensorType() ? in.getType().getTensorType().getElemType()
                        : TensorProto.DataType.FLOAT_VALUE;
                known.put(in.getName(), new Known(type, shape));
            } else if (!initializers.containsKey(in.getName())) {
                return Optional.empty();
            }
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        List<NodeProto> nodes = source.getNodeList();
        for (int from = 0; from < nodes.size(); from += segmentNodes) {
            List<NodeProto> segment = nodes.subList(from, Math.min(nodes.size(), from + segmentNodes));
            if (!inferSegment(segment, shapes)) {
                return Optional.empty();
            }
            segment.forEach(n -> n.getOutputList().forEach(o -> producers.put(o, n)));
        }
        return Optional.of(shapes);
    }

    private boolean inferSegment(List<NodeProto> segment, Map<String, long[]> shapes) {
        Set<String> inside = new HashSet<>();
        segment.forEach(n -> inside.addAll(n.getOutputList()));
        GraphProto.Builder g = GraphProto.newBuilder().setName(source.getName());
        Set<String> defined = new HashSet<>(inside);
        List<NodeProto> copied = new ArrayList<>();
        for (NodeProto n : segment) {
            for (String in : n.getInputList()) {
                if (!define(in, g, defined, copied)) {
                    return false;
                }
            }
        }
        copied.forEach(g::addNode); // producers in file order before the segment's nodes
        segment.forEach(g::addNode);
        List<String> outputs = new ArrayList<>();
        for (NodeProto n : segment) {
            for (String out : n.getOutputList()) {
                if (!out.isEmpty()) {
                    outputs.add(out);
                    g.addOutput(ValueInfoProto.newBuilder().setName(out));
                }
            }
        }
        ModelProto part = model.runtimeProto().toBuilder().setGraph(g).build();
        try (OrtSession session = OrtSessions.create(part, options, model.path(),
                OrtSession.SessionOptions.OptLevel.NO_OPT)) {
            Map<String, NodeInfo> info = session.getOutputInfo();
            for (String out : outputs) {
                NodeInfo i = info.get(out);
                if (i == null || !(i.getInfo() instanceof TensorInfo t)) {
                    return false;
                }
                long[] shape = t.getShape();
                for (long d : shape) {
                    if (d < 0) {
                        return false;
                    }
                }
                shapes.put(out, shape);
                int type = onnxCode(t.onnxType);
                if (type == 0) {
                    return false;
                }
                known.put(out, new Known(type, shape));
            }
            return true;
        } catch (OrtException | ModelRefusedException e) {
            return false;
        }
    }

    /** Makes {@code tensor} available to the segment being built; false where it cannot. */
    private boolean define(String tensor, GraphProto.Builder g, Set<String> defined, List<NodeProto> copied) {
        if (tensor.isEmpty() || defined.contains(tensor)) {
            return true;
        }
        defined.add(tensor);
        TensorProto init = initializers.get(tensor);
        if (init != null) {
            if (init.getRawData().size() >= StaticShapes.WEIGHT_BYTES) {
                g.addInput(ValueInfoProto.newBuilder().setName(tensor).setType(StaticShapes.tensorType(
                        init.getDataType(), init.getDimsList().stream().mapToLong(Long::longValue).toArray())));
            } else {
                g.addInitializer(init);
            }
            return true;
        }
        NodeProto producer = producers.get(tensor);
        Known k = known.get(tensor);
        boolean carriesValue = producer != null && (producer.getOpType().equals("Constant")
                || k != null && isSmallInteger(k));
        if (carriesValue && copied.size() < MAX_COPIED) {
            for (String in : producer.getInputList()) {
                if (!define(in, g, defined, copied)) {
                    return false;
                }
            }
            if (!copied.contains(producer)) {
                copied.add(producer);
                producer.getOutputList().forEach(defined::add);
            }
            return true;
        }
        if (k == null) {
            return false; // read before it is produced: not in topological order
        }
        g.addInput(ValueInfoProto.newBuilder().setName(tensor).setType(StaticShapes.tensorType(k.elemType(),
                k.shape())));
        return true;
    }

    /** ONNX's element type code for ONNX Runtime's type (whose own numbering differs); 0 if none. */
    private static int onnxCode(TensorInfo.OnnxTensorType type) {
        String name = type.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "");
        try {
            return TensorProto.DataType.valueOf(name).getNumber();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    private static boolean isSmallInteger(Known k) {
        boolean integer = k.elemType() == TensorProto.DataType.INT64_VALUE
                || k.elemType() == TensorProto.DataType.INT32_VALUE;
        long n = 1;
        for (long d : k.shape()) {
            n *= d;
        }
        return integer && n <= SMALL_INTEGERS;
    }
}
