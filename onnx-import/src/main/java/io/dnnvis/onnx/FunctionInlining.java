package io.dnnvis.onnx;

import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.FunctionProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Model-local functions ({@code ModelProto.functions}, as PyTorch's dynamo exporter and onnxscript
 * write a module or a composite op) replaced by their bodies where they are called, as ONNX's own
 * inliner does: every call becomes the function's nodes, its formal inputs and outputs renamed to
 * the call's, its inner tensors and nodes given fresh names, and attribute references
 * ({@code ref_attr_name}) given the call's attribute (or the function's default). Functions calling
 * functions are inlined in turn. The model then holds plain ONNX nodes, which the rules, the passes
 * and the geometry read like any other; the functions and the domains only they used are dropped.
 */
final class FunctionInlining {

    /** How deep functions may call functions: deeper is a loop or a hostile file. */
    static final int MAX_DEPTH = 32;

    private final Path file;
    private final Map<String, FunctionProto> functions = new HashMap<>();
    private final Set<String> used = new HashSet<>();
    /** The fewest nodes and calls, and bytes, any model's inlining may reach (a file's own size may allow more). */
    static final long MIN_NODE_BUDGET = 100_000;
    static final long MIN_BYTE_BUDGET = 256L << 20;
    /** How many times the nodes, and the bytes, of the file the inlined model may hold. */
    static final long GROWTH = 1_000;
    static final long BYTE_GROWTH = 64;

    private long defaultOpset;
    private final long maxNodes;
    private final String nodeBudget;
    private int inlined;
    private long expanded;
    private long bytesLeft;

    private FunctionInlining(ModelProto proto, Path file, long maxNodes) {
        this.file = file;
        long opset = -1;
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = o.getVersion();
            }
        }
        this.defaultOpset = opset;
        long fileNodes = proto.getGraph().getNodeCount();
        for (FunctionProto f : proto.getFunctionsList()) {
            fileNodes += f.getNodeCount();
            if (functions.put(key(f.getDomain(), f.getName(), f.getOverload()), f) != null) {
                throw new InvalidModelException(file, "function '" + InvalidModelException.oneLine(f.getName())
                        + "' of domain '" + InvalidModelException.oneLine(f.getDomain()) + "' is defined twice");
            }
            requireDistinct(f, f.getInputList(), "input");
            requireDistinct(f, f.getOutputList(), "output");
        }
        // a few kilobytes of nested calls must not become millions of nodes, nor one constant gigabytes
        long budget = Math.max(MIN_NODE_BUDGET, GROWTH * fileNodes);
        this.maxNodes = Math.min(maxNodes, budget);
        this.nodeBudget = budget <= maxNodes ? " (" + GROWTH + " times the file's, at least " + MIN_NODE_BUDGET + ")"
                : " (the largest graph allowed)";
        long size = proto.getSerializedSize();
        this.bytesLeft = Math.min(OnnxModel.MAX_FILE_BYTES - size, Math.max(MIN_BYTE_BUDGET, BYTE_GROWTH * size));
        GraphProto g = proto.getGraph();
        g.getInputList().forEach(v -> used.add(v.getName()));
        g.getOutputList().forEach(v -> used.add(v.getName()));
        g.getValueInfoList().forEach(v -> used.add(v.getName()));
        g.getInitializerList().forEach(t -> used.add(t.getName()));
        for (NodeProto n : g.getNodeList()) {
            used.add(n.getName());
            used.addAll(n.getOutputList());
        }
    }

    private void requireDistinct(FunctionProto f, List<String> names, String what) {
        if (new HashSet<>(names).size() != names.size()) {
            throw new InvalidModelException(file, "function '" + InvalidModelException.oneLine(f.getName())
                    + "' names an " + what + " twice");
        }
    }

    /**
     * {@code proto} with every call of its local functions inlined and the functions removed;
     * {@code proto} itself where it defines none.
     *
     * @param maxNodes the most nodes and calls the inlining may go through (the largest graph allowed)
     * @throws InvalidModelException for a function defined twice or naming a parameter twice, calls
     *     nested deeper than {@link #MAX_DEPTH}, more nodes and calls than {@link #GROWTH} times the
     *     file's (at least {@link #MIN_NODE_BUDGET}, at most {@code maxNodes}), more added bytes than
     *     {@link #BYTE_GROWTH} times the file's (at least {@link #MIN_BYTE_BUDGET}), a call with more
     *     inputs or outputs than its function, a body reading a name it neither receives nor makes,
     *     making a name twice or not making an output, a subgraph in a body, or a body written for
     *     another opset of the default domain
     */
    static ModelProto inline(ModelProto proto, Path file, long maxNodes) {
        if (proto.getFunctionsCount() == 0) {
            return proto;
        }
        FunctionInlining inlining = new FunctionInlining(proto, file, maxNodes);
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : proto.getGraph().getNodeList()) {
            inlining.expand(n, nodes, 0);
        }
        GraphProto graph = proto.getGraph().toBuilder().clearNode().addAllNode(nodes).build();
        return proto.toBuilder().setGraph(graph).clearFunctions().clearOpsetImport()
                .addAllOpsetImport(inlining.imports(proto, nodes)).build();
    }

    private static String key(String domain, String name, String overload) {
        return (domain.equals("ai.onnx") ? "" : domain) + "\u0000" + name + "\u0000" + overload;
    }

    /** Adds {@code node} to {@code into}, or the body of the function it calls, expanded in turn. */
    private void expand(NodeProto node, List<NodeProto> into, int depth) {
        // every node and call counts, kept or not: a body of calls (or of none) cannot expand unbounded
        if (++expanded > maxNodes) {
            throw new InvalidModelException(file, "the model's functions inlined make more than " + maxNodes
                    + " nodes and calls" + nodeBudget);
        }
        if (depth > 0) { // what inlining adds, its names included (nested calls name their nodes by the chain)
            bytesLeft -= node.getSerializedSize();
            if (bytesLeft < 0) {
                throw new InvalidModelException(file, "the model's functions inlined copy more bytes than "
                        + BYTE_GROWTH + " times the file (at least " + MIN_BYTE_BUDGET + ", at most "
                        + OnnxModel.MAX_FILE_BYTES + " bytes in all)");
            }
        }
        FunctionProto f = functions.get(key(node.getDomain(), node.getOpType(), node.getOverload()));
        if (f == null) {
            into.add(node);
            return;
        }
        if (depth >= MAX_DEPTH) {
            throw new InvalidModelException(file, "function '" + InvalidModelException.oneLine(f.getName())
                    + "' is called through more than " + MAX_DEPTH + " nested functions (one that calls itself, "
                    + "or a function of the ONNX domain named after an op its body uses?)");
        }
        checkOpset(f);
        String call = "node '" + InvalidModelException.oneLine(node.getName()) + "' calling function '"
                + InvalidModelException.oneLine(f.getName()) + "'";
        if (node.getInputCount() > f.getInputCount() || node.getOutputCount() > f.getOutputCount()) {
            throw new InvalidModelException(file, call + ": it gives " + node.getInputCount() + " inputs and asks "
                    + node.getOutputCount() + " outputs, the function takes " + f.getInputCount() + " and makes "
                    + f.getOutputCount());
        }
        String prefix = (node.getName().isEmpty() ? f.getName() + "_" + inlined : node.getName()) + "/";
        inlined++;
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < f.getInputCount(); i++) {
            names.put(f.getInput(i), i < node.getInputCount() ? node.getInput(i) : "");
        }
        // the call's tensor for each output it asks for; one it leaves out gets a name of its own
        Map<String, String> outputs = new HashMap<>();
        for (int i = 0; i < f.getOutputCount(); i++) {
            boolean asked = i < node.getOutputCount() && !node.getOutput(i).isEmpty();
            outputs.putIfAbsent(f.getOutput(i), asked ? node.getOutput(i) : fresh(prefix + f.getOutput(i)));
        }
        Map<String, AttributeProto> given = new LinkedHashMap<>();
        f.getAttributeProtoList().forEach(a -> given.put(a.getName(), a));
        node.getAttributeList().forEach(a -> given.put(a.getName(), a));
        Set<String> made = new HashSet<>();
        for (NodeProto inner : f.getNodeList()) {
            NodeProto.Builder b = inner.toBuilder().clearInput().clearOutput().clearAttribute()
                    .setName(fresh(prefix + (inner.getName().isEmpty() ? inner.getOpType() : inner.getName())));
            for (String in : inner.getInputList()) {
                if (in.isEmpty()) {
                    b.addInput(in);
                } else if (names.containsKey(in)) {
                    b.addInput(names.get(in));
                } else {
                    throw new InvalidModelException(file, call + ": its node '" + InvalidModelException.oneLine(
                            inner.getName()) + "' reads '" + InvalidModelException.oneLine(in)
                            + "', which the function neither receives nor makes before it");
                }
            }
            for (String out : inner.getOutputList()) {
                if (out.isEmpty()) {
                    b.addOutput(out);
                    continue;
                }
                if (names.containsKey(out)) {
                    throw new InvalidModelException(file, call + ": the function makes '"
                            + InvalidModelException.oneLine(out) + "' twice, or over one of its inputs");
                }
                made.add(out);
                String renamed = outputs.containsKey(out) ? outputs.get(out) : fresh(prefix + out);
                names.put(out, renamed);
                b.addOutput(renamed);
            }
            for (AttributeProto a : inner.getAttributeList()) {
                if (a.hasG() || a.getGraphsCount() > 0) {
                    throw new InvalidModelException(file, call + ": subgraphs in functions are not supported");
                }
                if (a.getRefAttrName().isEmpty()) {
                    b.addAttribute(a);
                } else if (given.containsKey(a.getRefAttrName())) {
                    b.addAttribute(given.get(a.getRefAttrName()).toBuilder().setName(a.getName()));
                } // a reference to an attribute the call does not give: the attribute is left out (its default)
            }
            expand(b.build(), into, depth + 1);
        }
        // an output the body does not make: one of its inputs handed on (an Identity, as ONNX's inliner writes it)
        for (int i = 0; i < f.getOutputCount(); i++) {
            String out = f.getOutput(i);
            if (made.contains(out)) {
                continue;
            }
            if (!names.containsKey(out)) {
                throw new InvalidModelException(file, call + ": the function does not make its output '"
                        + InvalidModelException.oneLine(out) + "'");
            }
            boolean asked = i < node.getOutputCount() && !node.getOutput(i).isEmpty();
            if (!asked) {
                continue; // an input handed on to an output nobody reads
            }
            if (names.get(out).isEmpty()) {
                throw new InvalidModelException(file, call + ": the function hands its input '"
                        + InvalidModelException.oneLine(out) + "' on as an output, and the call leaves that input out");
            }
            expand(NodeProto.newBuilder().setOpType("Identity").setName(fresh(prefix + "Identity"))
                    .addInput(names.get(out)).addOutput(outputs.get(out)).build(), into, depth + 1);
        }
    }

    private void checkOpset(FunctionProto f) {
        for (OperatorSetIdProto o : f.getOpsetImportList()) {
            boolean standard = o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx");
            if (standard && defaultOpset < 0) {
                defaultOpset = o.getVersion(); // the model imports the ONNX domain only through its functions
            } else if (standard && o.getVersion() != defaultOpset) {
                throw new InvalidModelException(file, "function '" + InvalidModelException.oneLine(f.getName())
                        + "' is written for opset " + o.getVersion() + " of the ONNX domain, the model for "
                        + defaultOpset);
            }
        }
    }

    /** A name no tensor or node of the graph has yet, {@code base} where it is free. */
    private String fresh(String base) {
        String name = base;
        for (int k = 2; !used.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    /**
     * The model's opset imports without the domains only its functions were called in, and with
     * those the function bodies use that the model did not import.
     */
    private List<OperatorSetIdProto> imports(ModelProto proto, List<NodeProto> nodes) {
        Set<String> called = new HashSet<>();
        for (NodeProto n : nodes) {
            called.add(n.getDomain().equals("ai.onnx") ? "" : n.getDomain());
        }
        Map<String, OperatorSetIdProto> out = new LinkedHashMap<>();
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            String domain = o.getDomain().equals("ai.onnx") ? "" : o.getDomain();
            boolean onlyFunctions = functions.values().stream().anyMatch(f -> f.getDomain().equals(o.getDomain()));
            if (domain.isEmpty() || called.contains(domain) || !onlyFunctions) {
                out.put(domain, o);
            }
        }
        if (!out.containsKey("") && defaultOpset >= 0) { // the ONNX domain as the called functions import it
            out.put("", OperatorSetIdProto.newBuilder().setDomain("").setVersion(defaultOpset).build());
        }
        for (FunctionProto f : proto.getFunctionsList()) {
            for (OperatorSetIdProto o : f.getOpsetImportList()) {
                String domain = o.getDomain().equals("ai.onnx") ? "" : o.getDomain();
                if (called.contains(domain)) {
                    out.putIfAbsent(domain, o);
                }
            }
        }
        return new ArrayList<>(out.values());
    }
}
