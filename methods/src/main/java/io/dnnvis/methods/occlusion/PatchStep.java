package io.dnnvis.methods.occlusion;

import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorShapeProto;
import io.dnnvis.onnx.proto.OnnxProto.TypeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One run of incremental occlusion: a node with a {@link PatchRule} and the positionwise nodes that
 * follow it alone (Conv, then its Relu), computed on a batch of patches, one per window, as one
 * small ONNX graph: the head node with its pads removed (the crops carry the padding; a Pad or Slice
 * that only adds or crops rows and columns, in order, becomes Identity), its weights and constants
 * from the file, the chain after it, one output patch.
 *
 * @param rules the head first, then the chain
 */
record PatchStep(List<PatchRule> rules) {

    PatchStep {
        rules = List.copyOf(rules);
    }

    PatchRule head() {
        return rules.get(0);
    }

    /** The tensor the step produces. */
    String output() {
        return rules.get(rules.size() - 1).node().output();
    }

    /** The step followed by one more positionwise node. */
    PatchStep then(PatchRule next) {
        List<PatchRule> more = new java.util.ArrayList<>(rules);
        more.add(next);
        return new PatchStep(more);
    }

    /** A name for the sessions' cache: the step's node outputs. */
    String key() {
        return String.join("\u0000", rules.stream().map(r -> r.node().output()).toList());
    }

    /**
     * The step's graph: inputs the head's path inputs with the channels of {@code inputShapes} (in
     * the order of {@link PatchRule#pathInputs()}; batch, rows and columns symbolic), output
     * {@link #output()}.
     */
    ModelProto model(OnnxModel model, List<long[]> inputShapes) {
        ModelProto source = model.runtimeProto();
        GraphProto graph = source.getGraph();
        GraphProto.Builder g = GraphProto.newBuilder().setName("patch");
        Set<String> constants = new HashSet<>();
        for (PatchRule r : rules) {
            NodeProto node = graph.getNode(r.node().fileIndex());
            NodeProto.Builder n = node.toBuilder().clearOutput().addOutput(r.node().output());
            if (r.kind() == PatchRule.Kind.SHIFT) { // the crop is the padded or sliced patch
                g.addNode(n.setOpType("Identity").clearInput().addInput(r.node().inputs().get(0)).clearAttribute());
                continue;
            }
            if (r.kind() == PatchRule.Kind.WINDOWED) {
                n.clearAttribute();
                for (AttributeProto a : node.getAttributeList()) {
                    if (!Set.of("pads", "auto_pad", "ceil_mode").contains(a.getName())) {
                        n.addAttribute(a);
                    }
                }
            }
            for (String in : r.node().inputs()) {
                if (!in.isEmpty() && !r.pathInputs().contains(in)) {
                    constants.add(in);
                }
            }
            g.addNode(n);
        }
        for (int k = 0; k < head().pathInputs().size(); k++) {
            g.addInput(floatInput(head().pathInputs().get(k), channelsOnly(inputShapes.get(k), head())));
        }
        addConstants(model, graph, constants, g);
        g.addOutput(ValueInfoProto.newBuilder().setName(output()));
        return source.toBuilder().clearMetadataProps().setGraph(g).build();
    }

    /**
     * The constants {@code names} for graph {@code g}: the nodes that compute them (Constant nodes, an
     * Identity or Transpose of weights...) put first, in graph order, and the initializers they and
     * {@code names} read, listed as inputs too for models of IR version 3.
     */
    static void addConstants(OnnxModel model, GraphProto graph, Set<String> names, GraphProto.Builder g) {
        Set<Node> computing = new HashSet<>();
        Set<String> initializers = new HashSet<>(names);
        for (String name : names) {
            for (Node n : model.graph().nodesFeeding(name)) {
                computing.add(n);
                initializers.addAll(n.inputs());
            }
        }
        List<NodeProto> constantNodes = model.graph().nodes().stream().filter(computing::contains)
                .map(n -> graph.getNode(n.fileIndex())).toList();
        for (int k = constantNodes.size() - 1; k >= 0; k--) {
            g.addNode(0, constantNodes.get(k));
        }
        for (TensorProto t : graph.getInitializerList()) {
            if (initializers.contains(t.getName())) {
                g.addInitializer(t);
                if (model.irVersion() < 4) {
                    graph.getInputList().stream().filter(v -> v.getName().equals(t.getName())).findFirst()
                            .ifPresent(g::addInput);
                }
            }
        }
    }

    /** A shape with only the axes that are not the rule's rows and columns (nor the batch) fixed; -1 elsewhere. */
    private static long[] channelsOnly(long[] shape, PatchRule rule) {
        long[] dims = shape.clone();
        dims[0] = -1;
        if (rule.kind() == PatchRule.Kind.TRANSPOSE) {
            return null;
        }
        dims[rule.rowAxis()] = -1;
        dims[rule.colAxis()] = -1;
        return dims;
    }

    /** A float input of {@code dims} with a symbolic batch ({@code N}); any rank-4 shape when {@code dims} is null. */
    static ValueInfoProto floatInput(String name, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int a = 0; a < 4; a++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            shape.addDim(dims == null || dims[a] < 0 ? d.setDimParam(a == 0 ? "N" : "d" + a) : d.setDimValue(dims[a]));
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }
}
