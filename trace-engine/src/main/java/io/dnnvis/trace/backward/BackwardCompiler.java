package io.dnnvis.trace.backward;

import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorShapeProto;
import io.dnnvis.onnx.proto.OnnxProto.TypeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import io.dnnvis.trace.backward.graph.BackwardGraph;
import io.dnnvis.trace.backward.graph.GraphOutput;
import io.dnnvis.trace.backward.graph.StartInput;
import io.dnnvis.trace.backward.passes.GraphPass;
import io.dnnvis.trace.backward.passes.PassContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Compiles "forward graph + target + rule set" into ONE ONNX model, in phases: cut the forward
 * graph at the target and find the signal path ({@link ForwardCut}), walk back along it asking each
 * node's rule for its exact backward step ({@link BackwardWalk}), rewrite the exact graph by the
 * planned passes ({@link PassPlanner}), and assemble what the outputs need into a model. Knows
 * nothing about particular ops.
 */
public final class BackwardCompiler {

    private BackwardCompiler() {
    }

    /**
     * Compiles the backward graph of {@code spec}.
     *
     * @param shapes static shape of every tensor of the forward graph at the compiled input shape
     * @param probedValues values of small tensors from a forward run at that shape
     * @throws io.dnnvis.trace.UnsupportedGraphException listing every op on the path that has no rule
     */
    public static CompiledBackward compile(OnnxModel model, BackwardSpec spec, Map<String, long[]> shapes,
            Map<String, Tensor> probedValues, CompileOptions options) {
        ForwardCut cut = ForwardCut.of(model, spec);
        BackwardGraph graph = BackwardWalk.walk(model, cut, spec, shapes, probedValues);
        long[] inputShape = graph.forwardShape(cut.imageInput()).orElseThrow();
        PassContext context = new PassContext(options.oneSignal());
        List<String> applied = new ArrayList<>();
        for (GraphPass pass : PassPlanner.plan(options, inputShape)) {
            if (pass.apply(graph, context)) {
                applied.add(pass.name());
            }
        }
        ModelProto compiled = assemble(model, graph, cut.imageInput(), inputShape);
        return new CompiledBackward(compiled, cut.imageInput(), inputShape, graph.start(), cut.target(),
                graph.forwardShape(cut.target()).orElseThrow(), graph.outputs(), applied, context.signalCountAsked());
    }

    /** The live nodes, the initializers they read, the inputs and the outputs, as a model. */
    private static ModelProto assemble(OnnxModel model, BackwardGraph graph, String imageInput, long[] inputShape) {
        GraphProto source = model.runtimeProto().getGraph();
        List<NodeProto> live = graph.liveNodes();
        GraphProto.Builder g = GraphProto.newBuilder().setName(source.getName() + "_backward");
        g.addAllNode(live);
        Set<String> used = new HashSet<>();
        live.forEach(p -> used.addAll(p.getInputList()));
        Stream.concat(source.getInitializerList().stream(), graph.constants().stream())
                .filter(t -> used.contains(t.getName()))
                .forEach(g::addInitializer);
        g.addInput(OnnxProtos.tensorInfo(imageInput, DataType.FLOAT, inputShape));
        StartInput start = graph.start();
        g.addInput(batchedInput(start.selection(), DataType.FLOAT, start.selectionShape()));
        if (start.oneChannel()) {
            // [B, N]: the channel of each start signal in each image
            g.addInput(batchedInput(start.channel(), DataType.INT64, new long[] {start.selectionShape()[0]}));
        }
        Set<String> added = new HashSet<>();
        for (GraphOutput o : graph.outputs()) {
            if (added.add(o.tensor())) {
                g.addOutput(ValueInfoProto.newBuilder().setName(o.tensor()));
            }
        }
        checkOrder(g);
        return model.runtimeProto().toBuilder().clearGraph().setGraph(g).build();
    }

    /** Every node reads only what an input, an initializer or an earlier node gives (passes insert in place). */
    private static void checkOrder(GraphProto.Builder g) {
        Set<String> known = new HashSet<>();
        g.getInputList().forEach(v -> known.add(v.getName()));
        g.getInitializerList().forEach(t -> known.add(t.getName()));
        known.add("");
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!known.contains(in)) {
                    throw new IllegalStateException("compiled graph: node " + n.getName() + " reads '" + in
                            + "' before it is computed");
                }
            }
            known.addAll(n.getOutputList());
        }
    }

    /** A graph input of shape {@code [B] ++ shape}. */
    private static ValueInfoProto batchedInput(String name, DataType type, long[] shape) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
        dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("B"));
        for (long d : shape) {
            dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(type.code()).setShape(dims)))
                .build();
    }
}
