package io.dnnvis.onnx;

import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorShapeProto;
import io.dnnvis.onnx.proto.OnnxProto.TypeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/** Validates a {@code GraphProto} and builds the immutable {@link Graph}, nodes sorted topologically. */
final class GraphReader {

    /** The graph, and the graph proto for ONNX Runtime (the same object when nothing was inlined). */
    record Result(Graph graph, GraphProto runtimeGraph) {
    }

    private static final Set<String> KNOWN_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml", "com.microsoft");

    private final Path file;
    private final TensorDecoder decoder;
    private final Map<String, Long> opsets;
    private final LoadOptions options;
    private boolean inlined;

    GraphReader(Path file, TensorDecoder decoder, Map<String, Long> opsets, LoadOptions options) {
        this.file = file;
        this.decoder = decoder;
        this.opsets = opsets;
        this.options = options;
    }

    Result read(GraphProto g) {
        if (g.getNodeCount() > options.maxNodes()) {
            throw fail("graph has " + g.getNodeCount() + " nodes, more than the limit of " + options.maxNodes());
        }
        long constants = g.getInitializerCount()
                + g.getNodeList().stream().filter(n -> n.getOpType().equals("Constant")).count();
        if (constants > options.maxConstants()) {
            throw fail("graph has " + constants + " initializers and Constant nodes, more than the limit of "
                    + options.maxConstants() + " (ONNX Runtime's cost grows with the square of their count)");
        }
        if (g.getSparseInitializerCount() > 0) {
            throw fail("sparse initializers are not supported");
        }
        GraphProto.Builder runtime = null;
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        for (int k = 0; k < g.getInitializerCount(); k++) {
            TensorProto t = g.getInitializer(k);
            String name = t.getName();
            if (name.isEmpty()) {
                throw fail("initializer #" + k + " has no name");
            }
            TensorDecoder.Decoded d = decoder.decode(t, "initializer '" + name + "'");
            if (initializers.put(name, d.tensor()) != null) {
                throw fail("initializer '" + name + "' is defined twice");
            }
            if (d.runtimeProto() != t) {
                runtime = runtime == null ? g.toBuilder() : runtime;
                runtime.setInitializer(k, d.runtimeProto());
            }
        }

        Set<String> defined = new HashSet<>(initializers.keySet());
        List<ValueInfo> inputs = new ArrayList<>();
        boolean initializerInputs = false;
        for (ValueInfoProto v : g.getInputList()) {
            ValueInfo info = valueInfo(v, "graph input");
            if (initializers.containsKey(info.name())) {
                initializerInputs = true;
                continue;
            }
            if (!defined.add(info.name())) {
                throw fail("graph input '" + info.name() + "' is declared twice");
            }
            checkInputSize(info);
            inputs.add(info);
        }

        if (initializerInputs) {
            // Initializers that are graph inputs too (IR 3 required it; old exporters still write it) are
            // weights a caller could replace, so ONNX Runtime neither folds nor fuses them (ResNet-18:
            // 97 ms against 66 ms per SaliNet call). dnnvis feeds only the image: they stay constants.
            runtime = runtime == null ? g.toBuilder() : runtime;
            runtime.clearInput();
            for (ValueInfoProto v : g.getInputList()) {
                if (!initializers.containsKey(v.getName())) {
                    runtime.addInput(v);
                }
            }
        }
        List<Node> nodes = new ArrayList<>(g.getNodeCount());
        Map<String, Integer> producerIndex = new HashMap<>();
        Map<String, Integer> opCounts = new HashMap<>();
        for (int k = 0; k < g.getNodeCount(); k++) {
            NodeProto p = g.getNode(k);
            NodeProto runtimeNode = p;
            String label = "node '" + InvalidModelException.oneLine(p.getName().isEmpty() ? "#" + k : p.getName())
                    + "' (" + InvalidModelException.oneLine(p.getOpType()) + ")";
            if (p.getOpType().isEmpty()) {
                throw fail("node #" + k + " has no op_type");
            }
            String domain = p.getDomain().equals("ai.onnx") ? "" : p.getDomain();
            if (!opsets.containsKey(domain)) {
                throw fail(label + " uses domain '" + InvalidModelException.oneLine(domain)
                        + "' that the model does not import");
            }
            if (!KNOWN_DOMAINS.contains(domain)) {
                throw fail(label + " uses unsupported operator domain '" + InvalidModelException.oneLine(domain) + "'");
            }
            Map<String, Attribute> attributes = new LinkedHashMap<>();
            for (int a = 0; a < p.getAttributeCount(); a++) {
                AttributeProto ap = p.getAttribute(a);
                Attribute attr = attribute(ap, label);
                if (attributes.put(attr.name(), attr) != null) {
                    throw fail(label + " has attribute '" + attr.name() + "' twice");
                }
                if (attr.kind() == Attribute.Kind.TENSOR && ap.getT().getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                    TensorProto inlinedTensor = decoder.decode(ap.getT(), label + " attribute '" + attr.name() + "'")
                            .runtimeProto();
                    runtimeNode = runtimeNode.toBuilder().setAttribute(a, ap.toBuilder().setT(inlinedTensor)).build();
                }
            }
            String attributeProblem = AttributeChecks.problem(p.getOpType(), attributes);
            if (attributeProblem != null) {
                throw fail(label + ": " + attributeProblem);
            }
            if (runtimeNode != p) {
                runtime = runtime == null ? g.toBuilder() : runtime;
                runtime.setNode(k, runtimeNode);
            }
            for (String out : p.getOutputList()) {
                if (out.isEmpty()) {
                    continue;
                }
                if (!defined.add(out) || producerIndex.containsKey(out)) {
                    throw fail(label + " output '" + InvalidModelException.oneLine(out)
                            + "' is already defined by another node, input or initializer");
                }
                producerIndex.put(out, k);
            }
            String alias = "";
            if (!p.getOpType().equals("Constant")) {
                String op = p.getOpType().toLowerCase(Locale.ROOT);
                alias = op + opCounts.merge(op, 1, Integer::sum);
            }
            nodes.add(new Node(p.getName(), p.getOpType(), domain, p.getInputList(), p.getOutputList(), attributes,
                    alias, k, p.getDocString()));
        }

        for (Node n : nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw fail("node " + n.describe() + " reads '" + InvalidModelException.oneLine(in)
                            + "', which no node produces and is no graph input or initializer");
                }
            }
        }
        List<ValueInfo> outputs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) {
            ValueInfo info = valueInfo(v, "graph output");
            if (!defined.contains(info.name())) {
                throw fail("graph output '" + info.name() + "' is produced by no node");
            }
            outputs.add(info);
        }
        if (outputs.isEmpty()) {
            throw fail("graph has no outputs");
        }
        List<Node> sorted = topologicalOrder(nodes, producerIndex);
        Graph graph = new Graph(g.getName(), sorted, initializers, inputs, outputs, g.getDocString());
        return new Result(graph, runtime == null ? g : runtime.build());
    }

    /** Kahn's algorithm, taking the lowest file index first so a sorted file keeps its order. */
    private List<Node> topologicalOrder(List<Node> nodes, Map<String, Integer> producerIndex) {
        int n = nodes.size();
        int[] pending = new int[n];
        List<List<Integer>> dependents = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            dependents.add(new ArrayList<>(2));
        }
        for (int k = 0; k < n; k++) {
            Set<Integer> deps = new HashSet<>();
            for (String in : nodes.get(k).inputs()) {
                Integer p = producerIndex.get(in);
                if (p != null && deps.add(p)) {
                    dependents.get(p).add(k);
                }
            }
            pending[k] = deps.size();
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int k = 0; k < n; k++) {
            if (pending[k] == 0) {
                ready.add(k);
            }
        }
        List<Node> order = new ArrayList<>(n);
        while (!ready.isEmpty()) {
            int k = ready.poll();
            order.add(nodes.get(k));
            for (int d : dependents.get(k)) {
                if (--pending[d] == 0) {
                    ready.add(d);
                }
            }
        }
        if (order.size() != n) {
            List<String> stuck = new ArrayList<>();
            for (int k = 0; k < n && stuck.size() < 5; k++) {
                if (pending[k] > 0) {
                    stuck.add(nodes.get(k).describe());
                }
            }
            throw fail("graph has a cycle through nodes " + String.join(", ", stuck)
                    + (n - order.size() > stuck.size() ? " and " + (n - order.size() - stuck.size()) + " more" : ""));
        }
        return order;
    }

    private Attribute attribute(AttributeProto a, String label) {
        String name = InvalidModelException.oneLine(a.getName());
        if (name.isEmpty()) {
            throw fail(label + " has an attribute without a name");
        }
        if (!a.getRefAttrName().isEmpty()) {
            throw fail(label + " attribute '" + name + "' refers to a function attribute; functions are not supported");
        }
        AttributeProto.AttributeType type = a.hasType() ? a.getType() : inferType(a);
        return switch (type) {
            case FLOAT -> new Attribute(name, Attribute.Kind.FLOAT, a.getF());
            case INT -> new Attribute(name, Attribute.Kind.INT, a.getI());
            case STRING -> new Attribute(name, Attribute.Kind.STRING, a.getS().toStringUtf8());
            case TENSOR -> new Attribute(name, Attribute.Kind.TENSOR,
                    decoder.decode(a.getT(), label + " attribute '" + name + "'").tensor());
            case FLOATS -> {
                float[] v = new float[a.getFloatsCount()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = a.getFloats(k);
                }
                yield new Attribute(name, Attribute.Kind.FLOATS, v);
            }
            case INTS -> new Attribute(name, Attribute.Kind.INTS,
                    a.getIntsList().stream().mapToLong(Long::longValue).toArray());
            case STRINGS -> new Attribute(name, Attribute.Kind.STRINGS,
                    a.getStringsList().stream().map(s -> s.toStringUtf8()).toList());
            case GRAPH, GRAPHS -> throw fail(label + " attribute '" + name
                    + "' holds a nested graph; If/Loop/Scan bodies are not supported");
            default -> throw fail(label + " attribute '" + name + "' has unsupported type " + type);
        };
    }

    /** IR 1 files may omit the type; infer it from the populated field as ONNX does. */
    private AttributeProto.AttributeType inferType(AttributeProto a) {
        if (a.hasF()) {
            return AttributeProto.AttributeType.FLOAT;
        }
        if (a.hasI()) {
            return AttributeProto.AttributeType.INT;
        }
        if (a.hasS()) {
            return AttributeProto.AttributeType.STRING;
        }
        if (a.hasT()) {
            return AttributeProto.AttributeType.TENSOR;
        }
        if (a.hasG() || a.getGraphsCount() > 0) {
            return AttributeProto.AttributeType.GRAPH;
        }
        if (a.getFloatsCount() > 0) {
            return AttributeProto.AttributeType.FLOATS;
        }
        if (a.getIntsCount() > 0) {
            return AttributeProto.AttributeType.INTS;
        }
        if (a.getStringsCount() > 0) {
            return AttributeProto.AttributeType.STRINGS;
        }
        return AttributeProto.AttributeType.UNDEFINED;
    }

    private ValueInfo valueInfo(ValueInfoProto v, String what) {
        String name = v.getName();
        if (name.isEmpty()) {
            throw fail(what + " without a name");
        }
        String label = what + " '" + InvalidModelException.oneLine(name) + "'";
        Optional<DataType> elemType = Optional.empty();
        Optional<List<Dim>> shape = Optional.empty();
        if (v.hasType()) {
            TypeProto t = v.getType();
            if (t.getValueCase() != TypeProto.ValueCase.TENSOR_TYPE
                    && t.getValueCase() != TypeProto.ValueCase.VALUE_NOT_SET) {
                throw fail(label + " is a " + t.getValueCase().name().toLowerCase(Locale.ROOT)
                        + "; only tensors are supported");
            }
            if (t.hasTensorType()) {
                TypeProto.Tensor tt = t.getTensorType();
                if (tt.hasElemType() && tt.getElemType() != 0) {
                    DataType dt = DataType.fromCode(tt.getElemType())
                            .orElseThrow(() -> fail(label + " has unknown element type " + tt.getElemType()));
                    elemType = Optional.of(dt);
                }
                if (tt.hasShape()) {
                    List<Dim> dims = new ArrayList<>();
                    for (TensorShapeProto.Dimension d : tt.getShape().getDimList()) {
                        if (d.hasDimValue() && d.getDimValue() == -1) {
                            // some exporters (PaddlePaddle) write -1 for a dynamic dimension
                            dims.add(Dim.symbolic(""));
                        } else if (d.hasDimValue()) {
                            if (d.getDimValue() < 0) {
                                throw fail(label + " has negative dimension " + d.getDimValue());
                            }
                            dims.add(Dim.fixed(d.getDimValue()));
                        } else {
                            dims.add(Dim.symbolic(d.getDimParam()));
                        }
                    }
                    shape = Optional.of(dims);
                }
            }
        }
        return new ValueInfo(name, elemType, shape, v.getDocString());
    }

    private void checkInputSize(ValueInfo info) {
        Optional<long[]> dims = info.concreteShape(1);
        if (dims.isEmpty()) {
            return;
        }
        int size = info.elemType().map(DataType::byteSize).filter(s -> s > 0).orElse(4);
        long bytes;
        try {
            bytes = Shapes.byteCount(dims.get(), size);
        } catch (IllegalArgumentException e) {
            throw fail("graph input '" + info.name() + "' has dimensions " + Shapes.format(dims.get())
                    + " whose size overflows");
        }
        if (bytes > options.maxTensorBytes()) {
            throw fail("graph input '" + info.name() + "' needs " + bytes + " bytes (dims " + Shapes.format(dims.get())
                    + "), more than the limit of " + options.maxTensorBytes() + " bytes");
        }
    }

    private InvalidModelException fail(String problem) {
        return new InvalidModelException(file, problem);
    }
}
