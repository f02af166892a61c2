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
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
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
}
