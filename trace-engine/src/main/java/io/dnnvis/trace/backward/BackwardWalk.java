package io.dnnvis.trace.backward;

import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.trace.UnsupportedGraphException;
import io.dnnvis.trace.backward.graph.BackwardGraph;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.GraphOutput;
import io.dnnvis.trace.backward.graph.RuleContext;
import io.dnnvis.trace.backward.graph.Site;
import io.dnnvis.trace.backward.graph.StartInput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The second phase of a compilation: the forward nodes of the cut, the start signal, then the walk
 * back over the signal path in reverse order, summing what fans out and asking each node's rule
 * to send the signal on; the outputs last. Knows nothing about particular ops.
 */
final class BackwardWalk {

    /** Name of the graph input that holds the start-signal selections. */
    static final String SELECTION_INPUT = "dnnvis_selection";
    /** Name of the output holding the signal at the first source (the reconstruction, at the model input). */
    static final String RECONSTRUCTION_OUTPUT = "dnnvis_reconstruction";

    private final OnnxModel model;
    private final ForwardCut cut;
    private final Map<String, Tensor> probedValues;
    private final BackwardGraph graph;
    /** The signals arriving at each forward tensor, to be summed. */
    private final Map<String, List<String>> arriving = new HashMap<>();
    /** The summed signal at each forward tensor reached, in the order reached. */
    private final Map<String, String> summed = new LinkedHashMap<>();
    private final GraphEmitter emit;
    /** Forward nodes re-emitted, by the model node they copy (a rule may ask for another output). */
    private final Map<Node, NodeProto> forwardProtos = new HashMap<>();

    private BackwardWalk(OnnxModel model, ForwardCut cut, Map<String, long[]> shapes, Map<String, Tensor> probedValues) {
        this.model = model;
        this.cut = cut;
        this.probedValues = probedValues;
        Map<String, long[]> table = new HashMap<>(shapes);
        model.graph().initializers().forEach((k, v) -> table.put(k, v.dims()));
        Set<String> names = new HashSet<>(model.graph().initializers().keySet());
        cut.forward().forEach(n -> names.addAll(n.outputs()));
        this.graph = new BackwardGraph(model.opset(), table, names);
        this.emit = graph.emitter();
    }

    /**
     * Walks back from the spec's target to its sources.
     *
     * @param shapes the static shape of every forward tensor of the cut at the compiled input shape
     * @param probedValues values of small tensors from a forward run at that shape; for tensors that
     *     carry no signal (shape computations) these are static, and rules may read them as constants
     */
    static BackwardGraph walk(OnnxModel model, ForwardCut cut, BackwardSpec spec, Map<String, long[]> shapes,
            Map<String, Tensor> probedValues) {
        return new BackwardWalk(model, cut, shapes, probedValues).run(spec);
    }

    private BackwardGraph run(BackwardSpec spec) {
        GraphProto source = model.runtimeProto().getGraph();
        for (Node n : cut.forward()) {
            NodeProto proto = source.getNode(n.fileIndex());
            forwardProtos.put(n, proto);
            graph.add(proto);
        }
        for (String t : cut.carrying()) {
            if (graph.forwardShape(t).isEmpty()) {
                throw new IllegalStateException("no static shape for tensor '" + t + "'");
            }
        }
        long[] targetShape = shape(cut.target());
        graph.setStart(new StartInput(SELECTION_INPUT, targetShape, ""));
        emit.scope("start");
        boolean timesTarget = spec.start() == StartSignal.ACTIVATION;
        String start = timesTarget ? emit.mul(SELECTION_INPUT, cut.target())
                : emit.op("Identity", List.of(SELECTION_INPUT));
        graph.note(new Site.Start(start, SELECTION_INPUT, cut.target(), timesTarget));
        arriving.computeIfAbsent(cut.target(), k -> new ArrayList<>()).add(start);

        List<Node> nodes = cut.signalNodes();
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node n = nodes.get(k);
            Map<Integer, String> outSignals = new HashMap<>();
            for (int j = 0; j < n.outputs().size(); j++) {
                String out = n.outputs().get(j);
                List<String> terms = arriving.get(out);
                if (terms != null && !terms.isEmpty()) {
                    emit.scope(n.name());
                    String s = emit.sum(terms);
                    outSignals.put(j, s);
                    summed.put(out, s);
                }
            }
            if (!outSignals.isEmpty()) {
                emit.scope(n.name().isEmpty() ? n.output() : n.name());
                spec.rules().rule(n.opType()).orElseThrow().backward(new Context(n, outSignals));
            }
        }
        addOutputs(spec);
        return graph;
    }

    private void addOutputs(BackwardSpec spec) {
        emit.scope("output");
        List<String> sources = cut.sources();
        for (int k = 0; k < sources.size(); k++) {
            String source = sources.get(k);
            long[] shape = shape(source);
            List<String> at = arriving.getOrDefault(source, List.of());
            String signal = summed.containsKey(source) ? summed.get(source)
                    : at.isEmpty() ? emit.zerosLikeBatch(SELECTION_INPUT, shape) : emit.sum(at);
            summed.put(source, signal);
            long[] flat = shape.clone();
            flat[0] = -1;
            String name = k == 0 ? RECONSTRUCTION_OUTPUT : "dnnvis_source_" + k;
            graph.add(NodeProto.newBuilder().setOpType("Identity").setName(GraphEmitter.PREFIX + "output_" + k)
                    .addInput(emit.op("Reshape", List.of(signal, emit.longs(flat)))).addOutput(name).build());
            graph.addOutput(new GraphOutput(name, GraphOutput.Role.SOURCE_SIGNAL, source, null));
        }
        graph.addOutput(new GraphOutput(cut.target(), GraphOutput.Role.TARGET, cut.target(), null));
        for (String source : sources) {
            if (!source.equals(cut.imageInput()) && !source.equals(cut.target())) {
                graph.addOutput(new GraphOutput(source, GraphOutput.Role.SOURCE_VALUE, source, null));
            }
        }
        if (spec.signals()) {
            summed.forEach((tensor, signal) ->
                    graph.addOutput(new GraphOutput(signal, GraphOutput.Role.RECORDED_SIGNAL, tensor, null)));
        }
    }

    private long[] shape(String tensor) {
        return graph.forwardShape(tensor).orElseThrow(() -> new IllegalStateException(
                "no static shape for tensor '" + tensor + "'"));
    }

    /** The context a rule sees for one node. */
    private final class Context implements RuleContext {
        private final Node node;
        private final Map<Integer, String> outSignals;

        Context(Node node, Map<Integer, String> outSignals) {
            this.node = node;
            this.outSignals = outSignals;
        }

        @Override
        public Node node() {
            return node;
        }

        @Override
        public GraphEmitter emit() {
            return emit;
        }

        @Override
        public String requireOutput(int i) {
            String given = output(i);
            if (!given.isEmpty()) {
                return given;
            }
            NodeProto proto = forwardProtos.get(node);
            String name = emit.fresh(node.opType().toLowerCase(java.util.Locale.ROOT) + "_output" + i);
            NodeProto.Builder b = proto.toBuilder();
            while (b.getOutputCount() <= i) {
                b.addOutput("");
            }
            NodeProto exposed = b.setOutput(i, name).build();
            graph.replaceNode(proto, exposed);
            forwardProtos.put(node, exposed);
            graph.addForwardShape(name, shape(node.output()));
            return name;
        }

        @Override
        public long[] shape(String tensor) {
            return graph.forwardShape(tensor).orElseThrow(() -> unsupported("no static shape known for '" + tensor + "'"));
        }

        @Override
        public Optional<String> signal(int outputIndex) {
            return Optional.ofNullable(outSignals.get(outputIndex));
        }

        @Override
        public String signalOrZeros(int outputIndex) {
            String s = outSignals.get(outputIndex);
            return s != null ? s : emit.zerosLikeBatch(outSignals.values().iterator().next(), shape(output(outputIndex)));
        }

        @Override
        public boolean needsSignal(int inputIndex) {
            String in = input(inputIndex);
            return !in.isEmpty() && cut.carrying().contains(in);
        }

        @Override
        public void send(int inputIndex, String signal) {
            if (needsSignal(inputIndex)) {
                arriving.computeIfAbsent(input(inputIndex), k -> new ArrayList<>()).add(signal);
            }
        }

        @Override
        public void sendTo(String tensor, String signal) {
            if (summed.containsKey(tensor)) {
                throw new IllegalStateException("node " + node.describe() + " sends to '" + tensor
                        + "', whose signal was already sent on");
            }
            if (cut.carrying().contains(tensor)) {
                arriving.computeIfAbsent(tensor, k -> new ArrayList<>()).add(signal);
            }
        }

        @Override
        public Optional<Node> producer(String tensor) {
            return model.graph().producer(tensor);
        }

        @Override
        public Optional<Tensor> constant(String tensor) {
            Tensor known = cut.constants().get(tensor);
            if (known != null) {
                return Optional.of(known);
            }
            return cut.carrying().contains(tensor) ? Optional.empty() : Optional.ofNullable(probedValues.get(tensor));
        }

        @Override
        public long opset() {
            return model.opset();
        }

        @Override
        public void note(Site site) {
            graph.note(site);
        }

        @Override
        public UnsupportedGraphException unsupported(String why) {
            return new UnsupportedGraphException(model.path() + ": node " + node.describe() + ": " + why);
        }
    }
}
