package io.dnnvis.trace.backward;

import io.dnnvis.onnx.Attribute;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorShapeProto;
import io.dnnvis.onnx.proto.OnnxProto.TypeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.MaxPoolRule;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Compiles "forward graph + target tensor + rule set" into ONE ONNX model: the forward graph
 * truncated at the target, then the inverse chain back to the input, built by the rule of each
 * op. Knows nothing about particular ops: it walks the graph, sums fanned-out signals and asks
 * the {@link RuleSet}.
 */
public final class BackwardCompiler {

    /** Name of the graph input that holds the start-signal selections. */
    public static final String SELECTION_INPUT = "dnnvis_selection";
    /** Name of the graph input that holds the channel of each start signal, when it starts from one. */
    public static final String CHANNEL_INPUT = "dnnvis_channel";
    public static final String RECONSTRUCTION_OUTPUT = "dnnvis_reconstruction";
    /** The lowest opset the emitted backward nodes are written for. */
    public static final long MIN_OPSET = 9;

    /** Ops whose outputs never carry signal (shapes, indices, comparisons). */
    private static final Set<String> NO_SIGNAL = Set.of("Shape", "Size", "ArgMax", "ArgMin", "Equal", "Greater",
            "Less", "GreaterOrEqual", "LessOrEqual", "Not", "And", "Or", "Xor", "NonZero", "ConstantOfShape",
            "Range", "EyeLike", "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "IsNaN",
            "IsInf", "Sign", "Floor", "Ceil", "Round");

    private BackwardCompiler() {
    }

    /**
     * Compiles the backward graph of {@code targetTensor}.
     *
     * @param shapes static shape of every tensor of the forward graph at the compiled input shape
     * @param probedValues values of small tensors from a forward run at that shape; for tensors that
     *     carry no signal (shape computations) these are static, and rules may read them as constants
     * @param exposeSignals also output the signal at every tensor on the path
     * @throws UnsupportedGraphException listing every op on the path that has no rule
     */
    public static CompiledBackward compile(OnnxModel model, String targetTensor, RuleSet rules, Pooling pooling,
            StartSignal start, Map<String, long[]> shapes, Map<String, TensorValue> probedValues,
            boolean exposeSignals) {
        return compile(model, targetTensor, rules, pooling, start, shapes, probedValues, exposeSignals, false, false);
    }

    /**
     * Whether the backward pass of {@code targetTensor} can start from one channel per start signal
     * (see {@link ChannelStartRule}): the rule of the target's producer says so.
     */
    public static boolean canStartFromChannel(OnnxModel model, String targetTensor, RuleSet rules,
            Map<String, long[]> shapes) {
        Graph graph = model.graph();
        Optional<Node> producer = graph.producer(targetTensor);
        if (graph.inputs().size() != 1 || producer.isEmpty()) {
            return false;
        }
        Set<String> carrying = signalPath(ancestors(graph, producer.get()), graph.inputs().get(0).name()).carrying();
        return channelStart(model, targetTensor, producer.get(), rules, shapeTable(graph, shapes), carrying)
                .isPresent();
    }

    /**
     * The rule that starts the backward pass of {@code targetTensor} from one channel, when its
     * producer's rule is a {@link ChannelStartRule} that can (what {@link #canStartFromChannel} asks,
     * once the signal path and the shape table are known).
     */
    private static Optional<ChannelStartRule> channelStart(OnnxModel model, String targetTensor, Node producer,
            RuleSet rules, Map<String, long[]> shapeTable, Set<String> carrying) {
        if (!producer.output().equals(targetTensor) || !carrying.contains(targetTensor)
                || !(rules.rule(producer.opType()).orElse(null) instanceof ChannelStartRule rule)) {
            return Optional.empty();
        }
        Compilation c = new Compilation(model, null, null, shapeTable, carrying, new HashMap<>(), new HashMap<>(),
                Map.of(), Map.of(), Pooling.SWITCH, false, false, new AtomicBoolean());
        return rule.startsFromChannel(new Context(c, producer, Map.of(), Set.of())) ? Optional.of(rule)
                : Optional.empty();
    }

    /** The probed shapes of the forward tensors, and the dims of the initializers. */
    private static Map<String, long[]> shapeTable(Graph graph, Map<String, long[]> shapes) {
        Map<String, long[]> table = new HashMap<>(shapes);
        graph.initializers().forEach((k, v) -> table.put(k, v.dims()));
        return table;
    }

    /** The tensors that carry signal from the image input, and the nodes that produce them. */
    private record SignalPath(Set<String> carrying, List<Node> nodes) {
    }

    private static SignalPath signalPath(List<Node> forward, String imageInput) {
        Set<String> carrying = new HashSet<>();
        carrying.add(imageInput);
        List<Node> signalNodes = new ArrayList<>();
        for (Node n : forward) {
            if (NO_SIGNAL.contains(n.opType()) || n.opType().equals("Constant")) {
                continue;
            }
            if (n.inputs().stream().anyMatch(carrying::contains)) {
                signalNodes.add(n);
                n.outputs().stream().filter(o -> !o.isEmpty()).forEach(carrying::add);
            }
        }
        return new SignalPath(carrying, signalNodes);
    }

    /**
     * As {@link #compile(OnnxModel, String, RuleSet, Pooling, StartSignal, Map, Map, boolean)}; with
     * {@code fromChannel} (and no signals exposed) the graph starts from one channel per start signal
     * where {@link #canStartFromChannel} allows: its selection input then has one channel, and
     * {@link #CHANNEL_INPUT} says which. With {@code oneSignal} the graph is meant for one start signal
     * per run (see {@link RuleContext#oneSignal}); it stays right for any number.
     */
    public static CompiledBackward compile(OnnxModel model, String targetTensor, RuleSet rules, Pooling pooling,
            StartSignal start, Map<String, long[]> shapes, Map<String, TensorValue> probedValues,
            boolean exposeSignals, boolean fromChannel, boolean oneSignal) {
        Graph graph = model.graph();
        if (graph.inputs().size() != 1) {
            throw new UnsupportedGraphException(model.path() + ": backward nets need a model with one input, this one has "
                    + graph.inputs().size());
        }
        if (model.opset() < MIN_OPSET) {
            throw new UnsupportedGraphException(model.path() + ": backward nets need opset " + MIN_OPSET
                    + " or newer, the model has " + model.opset());
        }
        ValueInfo imageInput = graph.inputs().get(0);
        Node targetNode = graph.producer(targetTensor).orElseThrow(() -> new UnsupportedGraphException(
                model.path() + ": target '" + targetTensor + "' is not produced by a node"));

        List<Node> forward = ancestors(graph, targetNode);
        SignalPath path = signalPath(forward, imageInput.name());
        Set<String> carrying = path.carrying();
        List<Node> signalNodes = path.nodes();
        Set<Node> onSignalPath = new HashSet<>(signalNodes);
        if (!carrying.contains(targetTensor)) {
            throw new UnsupportedGraphException(model.path() + ": target '" + targetTensor
                    + "' does not depend on the input '" + imageInput.name() + "'");
        }
        List<String> missing = new ArrayList<>();
        for (Node n : signalNodes) {
            if (rules.rule(n.opType()).isEmpty()) {
                missing.add(n.opType() + " " + n.describe().replaceFirst(" \\(.*\\)$", ""));
            }
        }
        if (!missing.isEmpty()) {
            throw new UnsupportedGraphException(model.path() + ": no backward rule for " + missing.size() + " node"
                    + (missing.size() == 1 ? "" : "s") + " on the path from '" + imageInput.name() + "' to '"
                    + targetTensor + "': " + String.join(", ", missing));
        }

        GraphProto source = model.runtimeProto().getGraph();
        Set<String> names = new HashSet<>(shapes.keySet());
        names.addAll(graph.initializers().keySet());
        forward.forEach(n -> names.addAll(n.outputs()));
        GraphEmitter emit = new GraphEmitter(model.opset(), names);

        // forward part, with MaxPool indices exposed where switch unpooling reads them
        Map<String, long[]> shapeTable = shapeTable(graph, shapes);
        Map<Node, Node> ruleView = new HashMap<>();
        for (Node n : forward) {
            NodeProto proto = source.getNode(n.fileIndex());
            if (n.opType().equals("MaxPool") && onSignalPath.contains(n)
                    && MaxPoolRule.needsIndices(pooling, model.opset())
                    && (n.outputs().size() < 2 || n.outputs().get(1).isEmpty())) {
                String indices = emit.fresh("maxpool_indices");
                List<String> outs = List.of(n.outputs().get(0), indices);
                proto = proto.toBuilder().clearOutput().addAllOutput(outs).build();
                shapeTable.put(indices, shapeTable.get(n.outputs().get(0)));
                ruleView.put(n, new Node(n.name(), n.opType(), n.domain(), n.inputs(), outs, n.attributes(), n.alias(),
                        n.fileIndex(), n.docString()));
            }
            emit.raw(proto);
        }
        for (String t : carrying) {
            if (!shapeTable.containsKey(t)) {
                throw new IllegalStateException("no static shape for tensor '" + t + "'");
            }
        }

        // start signal
        long[] targetShape = shapeTable.get(targetTensor);
        Map<String, List<String>> arriving = new HashMap<>();
        Map<String, String> summed = new LinkedHashMap<>();
        Map<String, Tensor> constants = constants(graph, forward);
        Compilation compilation = new Compilation(model, rules, emit, shapeTable, carrying, arriving, new HashMap<>(),
                constants, probedValues, pooling, exposeSignals, oneSignal, new AtomicBoolean());
        Optional<ChannelStartRule> channelStart = fromChannel && !exposeSignals
                ? channelStart(model, targetTensor, targetNode, rules, shapeTable, carrying) : Optional.empty();
        boolean oneChannel = channelStart.isPresent();
        long[] selectionShape = targetShape.clone();
        String startSignal;
        emit.scope("start");
        if (oneChannel) {
            // the target's producer sends back one channel per start signal itself
            selectionShape[1] = 1;
            // and computes the forward values of those channels alone: the target itself is not computed
            ChannelStartRule rule = channelStart.get();
            Context ctx = new Context(compilation, targetNode, Map.of(), Set.of());
            startSignal = start == StartSignal.ACTIVATION
                    ? emit.mul(SELECTION_INPUT, rule.forwardChannels(ctx, CHANNEL_INPUT))
                    : emit.op("Identity", List.of(SELECTION_INPUT));
            emit.scope(targetNode.name().isEmpty() ? targetTensor : targetNode.name());
            rule.backwardFromChannel(ctx, startSignal, CHANNEL_INPUT);
        } else {
            startSignal = start == StartSignal.ACTIVATION
                    ? emit.mul(SELECTION_INPUT, targetTensor)
                    : emit.op("Identity", List.of(SELECTION_INPUT));
            arriving.computeIfAbsent(targetTensor, k -> new ArrayList<>()).add(startSignal);
        }
        for (int k = signalNodes.size() - 1; k >= 0; k--) {
            Node n = signalNodes.get(k);
            Node view = ruleView.getOrDefault(n, n);
            Map<Integer, String> outSignals = new HashMap<>();
            Set<Integer> maskedOutputs = new HashSet<>();
            for (int j = 0; j < view.outputs().size(); j++) {
                List<String> terms = arriving.get(view.outputs().get(j));
                if (terms != null && !terms.isEmpty()) {
                    emit.scope(n.name());
                    String s = emit.sum(terms);
                    outSignals.put(j, s);
                    summed.put(view.outputs().get(j), s);
                    if (compilation.masked().getOrDefault(view.outputs().get(j), Set.of()).containsAll(terms)) {
                        maskedOutputs.add(j);
                    }
                }
            }
            if (outSignals.isEmpty()) {
                continue;
            }
            emit.scope(n.name().isEmpty() ? n.output() : n.name());
            Context ctx = new Context(compilation, view, outSignals, maskedOutputs);
            rules.rule(n.opType()).orElseThrow().backward(ctx);
        }

        emit.scope("output");
        long[] inputShape = shapeTable.get(imageInput.name());
        List<String> atInput = arriving.getOrDefault(imageInput.name(), List.of());
        String inputSignal = atInput.isEmpty() ? emit.zerosLikeBatch(startSignal, inputShape) : emit.sum(atInput);
        summed.put(imageInput.name(), inputSignal);
        // a reconstruction interleaved from phases leaves the graph as its phases: the host interleaves
        Optional<GraphEmitter.Phased> phased = exposeSignals || inputShape[0] != 1
                ? Optional.empty() : emit.phased(inputSignal);
        String reconstruction;
        if (phased.isPresent()) {
            reconstruction = phased.get().phases();
        } else {
            long[] reconstructionShape = inputShape.clone();
            reconstructionShape[0] = -1;
            reconstruction = emit.op("Reshape", List.of(inputSignal, emit.longs(reconstructionShape)));
        }
        NodeProto rename = NodeProto.newBuilder().setOpType("Identity").setName(GraphEmitter.PREFIX + "output")
                .addInput(reconstruction).addOutput(RECONSTRUCTION_OUTPUT).build();
        emit.raw(rename);

        GraphProto.Builder g = GraphProto.newBuilder().setName(source.getName() + "_backward");
        // a one-channel start leaves the target out (the engine computes it when it is asked for)
        String targetOutput = oneChannel ? "" : targetTensor;
        List<NodeProto> live = live(emit.nodes(),
                oneChannel ? Set.of(RECONSTRUCTION_OUTPUT) : Set.of(RECONSTRUCTION_OUTPUT, targetTensor),
                exposeSignals ? summed.values() : List.of());
        g.addAllNode(live);
        Set<String> used = new HashSet<>();
        live.forEach(p -> used.addAll(p.getInputList()));
        // the model's initializers and the emitted ones, as far as the live nodes read them
        Stream.concat(source.getInitializerList().stream(), emit.initializers().stream())
                .filter(t -> used.contains(t.getName()))
                .forEach(g::addInitializer);
        g.addInput(OnnxProtos.tensorInfo(imageInput.name(), DataType.FLOAT, inputShape));
        g.addInput(selectionInfo(selectionShape));
        if (oneChannel) {
            g.addInput(channelInfo());
        }
        g.addOutput(ValueInfoProto.newBuilder().setName(RECONSTRUCTION_OUTPUT));
        if (!targetOutput.isEmpty()) {
            g.addOutput(ValueInfoProto.newBuilder().setName(targetOutput));
        }
        Map<String, String> signalOutputs = new LinkedHashMap<>();
        if (exposeSignals) {
            for (Map.Entry<String, String> e : summed.entrySet()) {
                if (!e.getValue().equals(SELECTION_INPUT)) {
                    g.addOutput(ValueInfoProto.newBuilder().setName(e.getValue()));
                    signalOutputs.put(e.getKey(), e.getValue());
                }
            }
        }
        ModelProto compiled = model.runtimeProto().toBuilder().clearGraph().setGraph(g).build();
        return new CompiledBackward(compiled, imageInput.name(), inputShape, SELECTION_INPUT,
                oneChannel ? CHANNEL_INPUT : "", targetTensor, targetShape, RECONSTRUCTION_OUTPUT,
                phased.map(GraphEmitter.Phased::layout).orElse(null), targetOutput, signalOutputs,
                compilation.signalCountAsked().get());
    }

    /** The nodes that the outputs need (emitted nodes whose results nothing reads are dropped). */
    private static List<NodeProto> live(List<NodeProto> nodes, Set<String> outputs, Collection<String> more) {
        Set<String> needed = new HashSet<>(outputs);
        needed.addAll(more);
        boolean[] keep = new boolean[nodes.size()];
        for (int k = nodes.size() - 1; k >= 0; k--) {
            NodeProto n = nodes.get(k);
            if (n.getOutputList().stream().anyMatch(needed::contains)) {
                keep[k] = true;
                needed.addAll(n.getInputList());
            }
        }
        List<NodeProto> out = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            if (keep[k]) {
                out.add(nodes.get(k));
            }
        }
        return out;
    }

    private static ValueInfoProto channelInfo() {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("B"));
        return ValueInfoProto.newBuilder().setName(CHANNEL_INPUT)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(DataType.INT64.code()).setShape(shape)))
                .build();
    }

    private static ValueInfoProto selectionInfo(long[] targetShape) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("B"));
        for (long d : targetShape) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(SELECTION_INPUT)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT.code()).setShape(shape)))
                .build();
    }

    /** The nodes the target depends on, in topological order. */
    private static List<Node> ancestors(Graph graph, Node target) {
        Set<Node> seen = new HashSet<>();
        Deque<Node> todo = new ArrayDeque<>();
        todo.add(target);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (!seen.add(n)) {
                continue;
            }
            for (String in : n.inputs()) {
                graph.producer(in).ifPresent(todo::push);
            }
        }
        return graph.nodes().stream().filter(seen::contains).toList();
    }

    /** Initializers and Constant-node outputs: the tensors whose values are known at compile time. */
    private static Map<String, Tensor> constants(Graph graph, List<Node> forward) {
        Map<String, Tensor> out = new HashMap<>(graph.initializers());
        for (Node n : forward) {
            if (n.opType().equals("Constant")) {
                n.attribute("value").map(Attribute::asTensor).ifPresent(t -> out.put(n.output(), t));
            }
        }
        return out;
    }

    /**
     * What every rule of one compilation shares: the model, the emitter, the shapes, the signal path,
     * the signals arriving at each forward tensor, and, per forward tensor, those of them that were
     * sent already masked (per tensor: a rule may pass one signal on unchanged to another tensor,
     * where it is not masked).
     */
    private record Compilation(OnnxModel model, RuleSet rules, GraphEmitter emit, Map<String, long[]> shapes,
            Set<String> carrying, Map<String, List<String>> arriving, Map<String, Set<String>> masked,
            Map<String, Tensor> constants, Map<String, TensorValue> probedValues, Pooling pooling,
            boolean exposeSignals, boolean oneSignal, AtomicBoolean signalCountAsked) {
    }

    /** The context a rule sees for one node. */
    private static final class Context implements RuleContext {
        private final Compilation c;
        private final Node node;
        private final Map<Integer, String> outSignals;
        private final Set<Integer> maskedOutputs;

        Context(Compilation c, Node node, Map<Integer, String> outSignals, Set<Integer> maskedOutputs) {
            this.c = c;
            this.node = node;
            this.outSignals = outSignals;
            this.maskedOutputs = maskedOutputs;
        }

        @Override
        public Node node() {
            return node;
        }

        @Override
        public GraphEmitter emit() {
            return c.emit();
        }

        @Override
        public long[] shape(String tensor) {
            long[] s = c.shapes().get(tensor);
            if (s == null) {
                throw unsupported("no static shape known for '" + tensor + "'");
            }
            return s.clone();
        }

        @Override
        public Optional<String> signal(int outputIndex) {
            return Optional.ofNullable(outSignals.get(outputIndex));
        }

        @Override
        public String signalOrZeros(int outputIndex) {
            String s = outSignals.get(outputIndex);
            if (s != null) {
                return s;
            }
            String any = outSignals.values().iterator().next();
            return c.emit().zerosLikeBatch(any, shape(output(outputIndex)));
        }

        @Override
        public boolean needsSignal(int inputIndex) {
            String in = input(inputIndex);
            return !in.isEmpty() && c.carrying().contains(in);
        }

        @Override
        public void send(int inputIndex, String signal) {
            if (needsSignal(inputIndex)) {
                c.arriving().computeIfAbsent(input(inputIndex), k -> new ArrayList<>()).add(signal);
            }
        }

        @Override
        public boolean inputMasked(int inputIndex) {
            if (c.exposeSignals() || c.rules() == null || !needsSignal(inputIndex)) {
                return false;
            }
            String in = input(inputIndex);
            return c.model().graph().producer(in)
                    .filter(p -> p.outputs().indexOf(in) == 0)
                    .flatMap(p -> c.rules().rule(p.opType()))
                    .map(BackwardRule::masksNonPositiveOutput)
                    .orElse(false);
        }

        @Override
        public void sendMasked(int inputIndex, String signal) {
            if (needsSignal(inputIndex)) {
                c.masked().computeIfAbsent(input(inputIndex), k -> new HashSet<>()).add(signal);
                send(inputIndex, signal);
            }
        }

        @Override
        public boolean signalMasked(int outputIndex) {
            return maskedOutputs.contains(outputIndex);
        }

        @Override
        public Optional<Tensor> constant(String tensor) {
            Tensor known = c.constants().get(tensor);
            if (known != null) {
                return Optional.of(known);
            }
            TensorValue probed = c.probedValues().get(tensor);
            if (probed == null || c.carrying().contains(tensor)) {
                return Optional.empty();
            }
            return Optional.of(asTensor(probed));
        }

        /** A probed value as an int64 tensor when every value is integral (shapes, indices), else float. */
        private static Tensor asTensor(TensorValue v) {
            float[] values = v.data();
            boolean integral = true;
            for (float f : values) {
                integral &= f == Math.rint(f) || Float.isInfinite(f);
            }
            ByteBuffer b = ByteBuffer.allocate(values.length * (integral ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : values) {
                if (integral) {
                    b.putLong((long) f);
                } else {
                    b.putFloat(f);
                }
            }
            b.flip();
            return new Tensor(v.name(), integral ? DataType.INT64 : DataType.FLOAT, v.shape(), b);
        }

        @Override
        public Pooling pooling() {
            return c.pooling();
        }

        @Override
        public boolean oneSignal() {
            c.signalCountAsked().set(true);
            return c.oneSignal();
        }

        @Override
        public long opset() {
            return c.model().opset();
        }

        @Override
        public UnsupportedGraphException unsupported(String why) {
            return new UnsupportedGraphException(c.model().path() + ": node " + node.describe() + ": " + why);
        }
    }
}
