package io.dnnvis.trace.backward.graph;

import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The graph being compiled: the forward nodes the target needs, the backward nodes the rules
 * emitted, the constants they made, the graph's start input and outputs, and the {@link Site}s noted
 * along the way. Rules append to it through a {@link GraphEmitter}; rewrite passes read it, insert
 * nodes where they replace others ({@link #emitterBefore}) and rewire readers ({@link #replaceUses});
 * nodes nothing reads any more are dropped when the graph is assembled. Mutable, one per compilation.
 */
public final class BackwardGraph {

    private final long opset;
    private final Map<String, long[]> forwardShapes;
    private final Set<String> names;
    /** A place in the node order; the node in it may be rewritten (its inputs renamed). */
    private static final class Slot {
        private NodeProto node;

        Slot(NodeProto node) {
            this.node = node;
        }
    }

    private final List<Slot> nodes = new ArrayList<>();
    /** Indexes of {@link #nodes}: the slot computing each tensor, and the slots reading it. */
    private final Map<String, Slot> producers = new HashMap<>();
    private final Map<String, Set<Slot>> readers = new HashMap<>();
    private final List<TensorProto> constants = new ArrayList<>();
    private final List<Site> sites = new ArrayList<>();
    private final List<GraphOutput> outputs = new ArrayList<>();
    private StartInput start;
    private int counter;

    /**
     * @param opset the model's default-domain opset
     * @param forwardShapes the static shape of every forward tensor (and initializer) of the model
     * @param forwardNames every name the model uses, which fresh names avoid
     */
    public BackwardGraph(long opset, Map<String, long[]> forwardShapes, Set<String> forwardNames) {
        this.opset = opset;
        this.forwardShapes = new HashMap<>(forwardShapes);
        this.names = new HashSet<>(forwardNames);
        names.addAll(forwardShapes.keySet());
    }

    public long opset() {
        return opset;
    }

    // ---- names and shapes -------------------------------------------------------------------

    /** A name no tensor of the graph has, from {@code base}. */
    String fresh(String base) {
        String name;
        do {
            name = base + "_" + (counter++);
        } while (!names.add(name));
        return name;
    }

    /** The static shape of a forward tensor, if it is one. */
    public Optional<long[]> forwardShape(String tensor) {
        return Optional.ofNullable(forwardShapes.get(tensor)).map(long[]::clone);
    }

    /** Records the shape of a forward tensor the graph adds (an optional output it now computes). */
    public void addForwardShape(String tensor, long[] shape) {
        forwardShapes.put(tensor, shape.clone());
        names.add(tensor);
    }

    // ---- nodes ------------------------------------------------------------------------------

    /** The nodes in order. */
    public List<NodeProto> nodes() {
        return nodes.stream().map(slot -> slot.node).toList();
    }

    /** An emitter that appends. */
    public GraphEmitter emitter() {
        return new GraphEmitter(this, -1);
    }

    /**
     * An emitter that inserts before the node producing {@code tensor}: what a pass emits to replace
     * that tensor then comes where the tensor did, reading only what was computed before it.
     */
    public GraphEmitter emitterBefore(String tensor) {
        Slot producer = producers.get(tensor);
        return new GraphEmitter(this, producer == null ? nodes.size() : nodes.indexOf(producer));
    }

    /** Adds a node at {@code index} (-1: at the end); the index after it. */
    int insert(int index, NodeProto node) {
        Slot slot = new Slot(node);
        index(slot);
        if (index < 0) {
            nodes.add(slot);
            return -1;
        }
        nodes.add(index, slot);
        return index + 1;
    }

    /** Adds a node (forward nodes, re-emitted as they are). */
    public void add(NodeProto node) {
        insert(-1, node);
    }

    /** Replaces a node of the graph (as {@link #producer} gave it) in its place: the same node with another output, say. */
    public void replaceNode(NodeProto old, NodeProto replacement) {
        Slot slot = old.getOutputCount() == 0 ? null : producers.get(old.getOutput(0));
        if (slot == null || slot.node != old) {
            throw new IllegalArgumentException("node " + old.getName() + " is not in the graph");
        }
        rewrite(slot, replacement);
    }

    private void rewrite(Slot slot, NodeProto replacement) {
        unindex(slot);
        slot.node = replacement;
        index(slot);
    }

    private void index(Slot slot) {
        for (String out : slot.node.getOutputList()) {
            if (!out.isEmpty()) {
                names.add(out);
                producers.put(out, slot);
            }
        }
        for (String in : slot.node.getInputList()) {
            readers.computeIfAbsent(in, k -> new LinkedHashSet<>()).add(slot);
        }
    }

    private void unindex(Slot slot) {
        for (String out : slot.node.getOutputList()) {
            producers.remove(out, slot);
        }
        for (String in : slot.node.getInputList()) {
            Set<Slot> r = readers.get(in);
            if (r != null) {
                r.remove(slot);
            }
        }
    }

    /** The node that computes {@code tensor}, if one does (not for inputs and constants). */
    public Optional<NodeProto> producer(String tensor) {
        return Optional.ofNullable(producers.get(tensor)).map(slot -> slot.node);
    }

    /** The nodes that read {@code tensor}. */
    public List<NodeProto> consumers(String tensor) {
        return readers.getOrDefault(tensor, Set.of()).stream().map(slot -> slot.node).toList();
    }

    /**
     * Every node that reads {@code old} reads {@code replacement} instead, and so does a graph output
     * that {@code old} was (the output keeps its role under the new name). Sites noted for
     * {@code old} are forgotten (its value now comes from elsewhere); sites that read it read the
     * replacement.
     */
    public void replaceUses(String old, String replacement) {
        for (Slot slot : List.copyOf(readers.getOrDefault(old, Set.of()))) {
            NodeProto.Builder b = slot.node.toBuilder().clearInput();
            slot.node.getInputList().forEach(in -> b.addInput(in.equals(old) ? replacement : in));
            rewrite(slot, b.build());
        }
        for (int k = 0; k < outputs.size(); k++) {
            GraphOutput o = outputs.get(k);
            if (o.tensor().equals(old)) {
                outputs.set(k, new GraphOutput(replacement, o.role(), o.about(), o.layout()));
            }
        }
        sites.removeIf(s -> s.output().equals(old));
        sites.replaceAll(s -> s.renamed(t -> t.equals(old) ? replacement : t));
    }

    // ---- constants --------------------------------------------------------------------------

    /** The constants emitted so far (the model's own initializers are not among them). */
    public List<TensorProto> constants() {
        return Collections.unmodifiableList(constants);
    }

    void addConstant(TensorProto t) {
        constants.add(t);
    }

    // ---- sites ------------------------------------------------------------------------------

    public void note(Site site) {
        sites.add(site);
    }

    /**
     * The noted sites of one kind, in the order they were noted: a snapshot. A pass that rewrites
     * while it goes through them takes each one's current form with {@link #site} (a rewrite renames
     * the tensors other sites read).
     */
    public <T extends Site> List<T> sites(Class<T> kind) {
        return sites.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /**
     * Offers {@code rewrite} the current form of every site of one kind noted so far, in order (a
     * site that an earlier rewrite replaced is skipped, one whose inputs it renamed comes renamed);
     * whether any call rewrote something (returned true).
     */
    public <T extends Site> boolean rewriteEach(Class<T> kind, Predicate<T> rewrite) {
        boolean changed = false;
        for (T noted : sites(kind)) {
            Optional<T> current = site(kind, noted.output());
            if (current.isPresent() && rewrite.test(current.get())) {
                changed = true;
            }
        }
        return changed;
    }

    /** The site noted for {@code tensor} of that kind, if any. */
    public <T extends Site> Optional<T> site(Class<T> kind, String tensor) {
        return sites(kind).stream().filter(s -> s.output().equals(tensor)).findFirst();
    }

    // ---- interface --------------------------------------------------------------------------

    public StartInput start() {
        return start;
    }

    public void setStart(StartInput newStart) {
        this.start = newStart;
    }

    public List<GraphOutput> outputs() {
        return List.copyOf(outputs);
    }

    public void addOutput(GraphOutput output) {
        outputs.add(output);
    }

    /** Replaces the output named {@code output.tensor()}, or drops it with {@code null}. */
    public void setOutput(String tensor, GraphOutput output) {
        for (int k = 0; k < outputs.size(); k++) {
            if (outputs.get(k).tensor().equals(tensor)) {
                if (output == null) {
                    outputs.remove(k);
                } else {
                    outputs.set(k, output);
                }
                return;
            }
        }
        throw new IllegalArgumentException("'" + tensor + "' is not an output");
    }

    /** Whether {@code tensor} is a graph output: a pass must not change its value. */
    public boolean isOutput(String tensor) {
        return outputs.stream().anyMatch(o -> o.tensor().equals(tensor));
    }

    // ---- assembly ---------------------------------------------------------------------------

    /** The nodes the outputs need, in order (nodes whose results nothing reads are left out). */
    public List<NodeProto> liveNodes() {
        Set<String> needed = new HashSet<>();
        outputs.forEach(o -> needed.add(o.tensor()));
        boolean[] keep = new boolean[nodes.size()];
        for (int k = nodes.size() - 1; k >= 0; k--) {
            NodeProto n = nodes.get(k).node;
            if (n.getOutputList().stream().anyMatch(needed::contains)) {
                keep[k] = true;
                needed.addAll(n.getInputList());
            }
        }
        List<NodeProto> out = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            if (keep[k]) {
                out.add(nodes.get(k).node);
            }
        }
        return out;
    }
}
