package io.dnnvis.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, validated ONNX graph: nodes in topological order (file order where the file is
 * already sorted), initializers, the graph inputs that are not initializers, and outputs.
 */
public final class Graph {

    private final String name;
    private final List<Node> nodes;
    private final Map<String, Tensor> initializers;
    private final List<ValueInfo> inputs;
    private final List<ValueInfo> outputs;
    private final String docString;
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Map<String, Node> byAlias = new HashMap<>();
    private final Map<String, Node> byName = new HashMap<>();

    public Graph(String name, List<Node> nodes, Map<String, Tensor> initializers, List<ValueInfo> inputs,
            List<ValueInfo> outputs, String docString) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
        this.initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.docString = docString;
        for (Node n : this.nodes) {
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    producers.put(out, n);
                }
            }
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
            if (!n.alias().isEmpty()) {
                byAlias.put(n.alias(), n);
            }
            if (!n.name().isEmpty()) {
                byName.putIfAbsent(n.name(), n);
            }
        }
        consumers.replaceAll((k, v) -> List.copyOf(v));
    }

    public String name() {
        return name;
    }

    /** Nodes in topological order. */
    public List<Node> nodes() {
        return nodes;
    }

    public Map<String, Tensor> initializers() {
        return initializers;
    }

    /** Graph inputs that are not initializers: what the caller feeds. */
    public List<ValueInfo> inputs() {
        return inputs;
    }

    public List<ValueInfo> outputs() {
        return outputs;
    }

    public String docString() {
        return docString;
    }

    /** The node that produces {@code tensor}, empty for graph inputs and initializers. */
    public Optional<Node> producer(String tensor) {
        return Optional.ofNullable(producers.get(tensor));
    }

    /** The nodes {@code tensor} depends on (its producer included), in topological order. */
    public List<Node> nodesFeeding(String tensor) {
        return nodesFeeding(tensor, Set.of());
    }

    /**
     * The nodes {@code tensor} depends on (its producer included), in topological order, not walking
     * past the tensors of {@code stopAt}: their producers are left out unless something else needs them.
     */
    public List<Node> nodesFeeding(String tensor, Set<String> stopAt) {
        Set<Node> needed = new HashSet<>();
        Deque<Node> todo = new ArrayDeque<>();
        producer(tensor).ifPresent(todo::add);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (needed.add(n)) {
                for (String in : n.inputs()) {
                    if (!stopAt.contains(in)) {
                        producer(in).ifPresent(todo::push);
                    }
                }
            }
        }
        return nodes.stream().filter(needed::contains).toList();
    }

    /** The nodes that read {@code tensor}, in topological order. */
    public List<Node> consumers(String tensor) {
        return consumers.getOrDefault(tensor, List.of());
    }

    public boolean isInitializer(String tensor) {
        return initializers.containsKey(tensor);
    }

    public Optional<ValueInfo> input(String tensor) {
        return inputs.stream().filter(v -> v.name().equals(tensor)).findFirst();
    }

    /** Every node that has an alias (all but Constant nodes), in file order. */
    public List<Layer> layers() {
        return nodes.stream()
                .filter(n -> !n.alias().isEmpty())
                .sorted(Comparator.comparingInt(Node::fileIndex))
                .map(n -> new Layer(n, n.output()))
                .toList();
    }

    /** Finds a layer by alias, node name or output tensor name (in that order of precedence). */
    public Optional<Layer> findLayer(String nameOrAlias) {
        Node n = byAlias.get(nameOrAlias.toLowerCase(Locale.ROOT));
        if (n != null) {
            return Optional.of(new Layer(n, n.output()));
        }
        n = byName.get(nameOrAlias);
        if (n != null) {
            return Optional.of(new Layer(n, n.output()));
        }
        n = producers.get(nameOrAlias);
        return n == null ? Optional.empty() : Optional.of(new Layer(n, nameOrAlias));
    }

    /**
     * The tensor {@code name} stands for where code holds a tensor name already: the name itself when
     * a node produces that tensor or it is a graph input, else the output of the layer it names
     * ({@link #layer}). Resolving a tensor name with {@link #layer} again would take an alias first:
     * where tensors are named like aliases (a tensor "conv5" that is the second Conv's output), that
     * is another layer.
     *
     * @throws UnknownLayerException when it is neither
     */
    public String tensor(String name) {
        return producers.containsKey(name) || input(name).isPresent() ? name : layer(name).tensor();
    }

    /** The layer whose output {@code tensor} is (an exact tensor name first, see {@link #tensor}), else {@link #layer}. */
    public Layer layerOfTensor(String tensor) {
        Node n = producers.get(tensor);
        return n == null ? layer(tensor) : new Layer(n, tensor);
    }

    /**
     * Like {@link #findLayer} but throws {@link UnknownLayerException} naming the nearest aliases
     * and names.
     */
    public Layer layer(String nameOrAlias) {
        return findLayer(nameOrAlias).orElseThrow(
                () -> new UnknownLayerException(nameOrAlias, nearestNames(nameOrAlias, 5)));
    }

    private List<String> nearestNames(String wanted, int count) {
        List<String> names = new ArrayList<>(byAlias.keySet());
        names.addAll(byName.keySet());
        names.addAll(producers.keySet());
        String w = comparable(wanted);
        record Scored(String name, int distance) {
        }
        return names.stream()
                .distinct()
                .map(s -> new Scored(s, editDistance(w, comparable(s))))
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(count)
                .map(Scored::name)
                .toList();
    }

    /** Names compared by their first {@value #COMPARED_LENGTH} characters: a huge name costs no more. */
    private static final int COMPARED_LENGTH = 64;

    private static String comparable(String name) {
        String s = name.length() > COMPARED_LENGTH ? name.substring(0, COMPARED_LENGTH) : name;
        return s.toLowerCase(Locale.ROOT);
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
