package io.dnnvis.trace;

import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.Collection;
import java.util.HashSet;
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
}
