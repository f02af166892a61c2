package io.dnnvis.trace;

import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorShapeProto;
import io.dnnvis.onnx.proto.OnnxProto.TypeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Graph rewrites on the protobuf that ONNX Runtime runs. Pure functions: the input is not changed. */
public final class ModelRewrites {

    private ModelRewrites() {
    }

    /**
     * The model with every tensor in {@code tensors} also exposed as a graph output (the graph
     * itself is unchanged). Tensors that already are graph outputs are left alone; ONNX Runtime
     * infers the type of the added outputs.
     */
    public static ModelProto exposeOutputs(ModelProto model, Collection<String> tensors) {
        GraphProto g = model.getGraph();
        Set<String> present = new HashSet<>();
        for (ValueInfoProto v : g.getOutputList()) {
            present.add(v.getName());
        }
        GraphProto.Builder b = g.toBuilder();
        boolean changed = false;
        for (String t : tensors) {
            if (present.add(t)) {
                ValueInfoProto known = g.getValueInfoList().stream()
                        .filter(v -> v.getName().equals(t)).findFirst().orElse(null);
                b.addOutput(known != null ? known : ValueInfoProto.newBuilder().setName(t).build());
                changed = true;
            }
        }
        return changed ? model.toBuilder().setGraph(b).build() : model;
    }

    /**
     * The model cut at {@code tensor}: only the nodes (and initializers) the tensor depends on,
     * with the tensor as the single output.
     */
    public static ModelProto truncate(OnnxModel model, String tensor) {
        GraphProto source = model.runtimeProto().getGraph();
        GraphProto.Builder g = source.toBuilder().clearNode().clearInitializer().clearOutput().clearValueInfo();
        Set<String> used = new HashSet<>();
        for (Node n : model.graph().nodesFeeding(tensor)) {
            NodeProto p = source.getNode(n.fileIndex());
            g.addNode(p);
            used.addAll(p.getInputList());
        }
        for (TensorProto t : source.getInitializerList()) {
            if (used.contains(t.getName())) {
                g.addInitializer(t);
            }
        }
        g.clearInput();
        for (ValueInfoProto in : source.getInputList()) {
            if (used.contains(in.getName()) || in.getName().equals(tensor)) {
                g.addInput(in);
            }
        }
        g.addOutput(ValueInfoProto.newBuilder().setName(tensor));
        return model.runtimeProto().toBuilder().setGraph(g).build();
    }

    /**
     * The model with the first dimension of every graph input made symbolic ({@code N}) and the
     * intermediate shape annotations dropped, so a model exported with a static batch of 1 can
     * run batches when its nodes allow it (ONNX Runtime re-infers the shapes).
     */
    public static ModelProto dynamicBatch(ModelProto model) {
        GraphProto.Builder g = model.getGraph().toBuilder().clearValueInfo();
        for (int k = 0; k < g.getInputCount(); k++) {
            ValueInfoProto in = g.getInput(k);
            if (!in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()
                    || in.getType().getTensorType().getShape().getDimCount() == 0) {
                continue;
            }
            TensorShapeProto.Builder shape = in.getType().getTensorType().getShape().toBuilder();
            shape.setDim(0, TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
            TypeProto.Builder type = in.getType().toBuilder();
            type.getTensorTypeBuilder().setShape(shape);
            g.setInput(k, in.toBuilder().setType(type));
        }
        for (int k = 0; k < g.getOutputCount(); k++) {
            g.setOutput(k, ValueInfoProto.newBuilder().setName(g.getOutput(k).getName()));
        }
        return model.toBuilder().setGraph(g).build();
    }

    /**
     * The model with each Reshape of a tensor computed from the graph's inputs to a constant shape whose
     * first entry is 1 (a batch of 1 written into
     * the graph, as exporters with a static batch write a channel shuffle or a flatten) reading 0 there
     * instead: "copy the input's first dimension" ({@code allowzero} unset). At batch 1 it is the same
     * graph; at a larger batch such a Reshape follows the batch where its input's first axis is the
     * batch. Where it is not, the values of different inputs mix: the caller compares a batched run with
     * single runs ({@link BatchProbe}). Empty when no Reshape is such.
     */
    public static Optional<ModelProto> reshapesFollowingTheBatch(ModelProto model) {
        GraphProto g = model.getGraph();
        Map<String, TensorProto> constants = new HashMap<>();
        g.getInitializerList().forEach(t -> constants.put(t.getName(), t));
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
                n.getAttributeList().stream().filter(a -> a.getName().equals("value") && a.hasT())
                        .forEach(a -> constants.put(n.getOutput(0), a.getT()));
            }
        }
        Set<String> names = new HashSet<>(constants.keySet());
        g.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
        g.getInputList().forEach(v -> names.add(v.getName()));
        Set<String> fromInputs = new HashSet<>(); // the tensors that depend on a graph input (not the constants)
        g.getInputList().stream().map(ValueInfoProto::getName).filter(t -> !constants.containsKey(t))
                .forEach(fromInputs::add);
        GraphProto.Builder b = g.toBuilder();
        boolean changed = false;
        for (int k = 0; k < g.getNodeCount(); k++) {
            NodeProto n = g.getNode(k);
            if (n.getInputList().stream().anyMatch(fromInputs::contains)) {
                fromInputs.addAll(n.getOutputList());
            } else {
                continue;
            }
            boolean allowZero = n.getAttributeList().stream()
                    .anyMatch(a -> a.getName().equals("allowzero") && a.getI() != 0);
            if (!n.getOpType().equals("Reshape") || !(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                    || n.getInputCount() < 2 || allowZero || !fromInputs.contains(n.getInput(0))) {
                continue;
            }
            long[] shape = int64s(constants.get(n.getInput(1)));
            if (shape == null || shape.length < 2 || shape[0] != 1) {
                continue;
            }
            shape[0] = 0;
            String name = n.getInput(1) + "_batch";
            for (int i = 2; names.contains(name); i++) {
                name = n.getInput(1) + "_batch" + i;
            }
            names.add(name);
            b.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                    .addDims(shape.length).addAllInt64Data(java.util.Arrays.stream(shape).boxed().toList()));
            if (model.getIrVersion() < 4) { // initializers are graph inputs too
                TypeProto.Builder type = TypeProto.newBuilder();
                type.getTensorTypeBuilder().setElemType(TensorProto.DataType.INT64_VALUE).getShapeBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(shape.length));
                b.addInput(ValueInfoProto.newBuilder().setName(name).setType(type));
            }
            b.setNode(k, n.toBuilder().setInput(1, name));
            changed = true;
        }
        return changed ? Optional.of(model.toBuilder().setGraph(b).build()) : Optional.empty();
    }

    /** The values of a 1-D int64 tensor held in the file; null for any other. */
    private static long[] int64s(TensorProto t) {
        if (t == null || t.getDataType() != TensorProto.DataType.INT64_VALUE || t.getDimsCount() != 1
                || t.hasDataLocation() && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return null;
        }
        long n = t.getDims(0);
        if (t.getInt64DataCount() == n) {
            return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        }
        if (t.getRawData().size() == n * Long.BYTES) {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long[] v = new long[(int) n];
            for (int i = 0; i < v.length; i++) {
                v[i] = raw.getLong();
            }
            return v;
        }
        return null;
    }
}
