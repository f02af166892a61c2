package io.dnnvis.methods.occlusion;

import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an {@link IncrementalSweep} patches: each window's changed regions ({@link ChangedRegions}),
 * the path's nodes in graph order with their {@link PatchRule}s chained into {@link PatchStep}s up to
 * the first node without a rule (or, in automatic mode, whose patches cover most of its map, or where
 * stopping is estimated to cost least: {@link PatchCosts}), the tensors to cache from the unoccluded
 * image's forward pass, and, in automatic mode, whether patching saves work at all.
 */
final class IncrementalPlan {

    /** In automatic mode, a step whose patch covers more than this share of its output's map runs in full instead. */
    static final double AUTO_SHARE = 0.9;
    /**
     * In automatic mode, the incremental computation runs only where its estimated cost
     * ({@link PatchCosts}), at the cheapest place to stop patching, is at most this share of the full
     * recompute's: the estimate's margin (measured, 2 threads, sessions open: AlexNet conv5 w15 s8,
     * estimated 0.34, ran in 0.37-0.45 of the full recompute's time; ResNet-50 relu49 w15 s16, estimated
     * 0.72, in 0.80; at w31, estimated above 0.8, about as fast as the full recompute).
     */
    static final double AUTO_COST_SHARE = 0.8;

    private IncrementalPlan() {
    }

    /**
     * The incremental sweep of {@code grid} watching {@code target}; empty where it does not apply
     * (no node after the input has a rule, the shapes are unknown) or, when {@code auto}, would not save
     * work: the caller then recomputes in full.
     *
     * @param probed the shapes of the tensors the target depends on (batch 1)
     * @param auto whether to choose where patching stops by cost ({@link PatchCosts}) and to refuse where it
     *     would not save work
     * @param tau Krypton's projective-field threshold ({@link ChangedRegions}): 0 for the exact map
     * @param tailBatch windows per run of the rest of the graph, at least the sweep's batch
     */
    static Optional<IncrementalSweep> plan(PatchSessions sessions, OnnxModel model, String target,
            Map<String, long[]> probed, Occluder occluder, WindowGrid grid, boolean auto, double tau,
            int tailBatch) {
        String input = model.graph().inputs().get(0).name();
        Graph graph = cut(model.graph(), target);
        if (probed.isEmpty() || target.equals(input)) {
            return Optional.empty();
        }
        Map<String, long[]> shapes = new HashMap<>(probed);
        shapes.put(input, occluder.shape());
        List<Node> pathNodes = pathNodes(graph, input, target);
        Set<String> pathTensors = new HashSet<>();
        pathTensors.add(input);
        pathNodes.forEach(n -> pathTensors.addAll(n.outputs()));
        List<Map<String, ChangedRegions.Region>> regions;
        try {
            regions = regions(graph, model.opset(), shapes, occluder, grid, tau);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a shape the walk needs is unknown
        }
        Optional<PatchLayout> inputLayout = PatchLayout.of(input, shapes.get(input), regions);
        if (inputLayout.isEmpty()) {
            return Optional.empty();
        }
        Patched patched = patch(graph, model.opset(), pathNodes, pathTensors, shapes, input, inputLayout.get(),
                regions, auto, target, Integer.MAX_VALUE);
        if (patched.steps().isEmpty()) {
            return Optional.empty();
        }
        PatchCosts costs = new PatchCosts(graph, shapes);
        double macShare = convolutionShare(costs, pathNodes, patched.layouts());
        double[] shares = costShares(costs, patched, pathNodes, input, target, sessions, grid.count());
        int keep = shares.length;
        if (auto) {
            for (int k = 1; k < shares.length; k++) {
                keep = shares[k - 1] < shares[keep - 1] ? k : keep;
            }
            if (shares[keep - 1] > AUTO_COST_SHARE) {
                return Optional.empty();
            }
            if (keep < patched.steps().size()) {
                patched = patch(graph, model.opset(), pathNodes, pathTensors, shapes, input, inputLayout.get(),
                        regions, true, target, keep);
                macShare = convolutionShare(costs, pathNodes, patched.layouts());
            }
        }
        String estimate = Double.isInfinite(shares[keep - 1]) ? ", no multiply-adds to save"
                : shares[keep - 1] < 1 ? String.format(java.util.Locale.ROOT,
                        ", estimated %.2f of the full recompute's cost", shares[keep - 1])
                : String.format(java.util.Locale.ROOT, ", estimated %.2f times the full recompute's cost",
                        shares[keep - 1]);
        List<PatchStep> steps = patched.steps();
        Map<String, PatchLayout> layouts = patched.frontier();
        PatchSessions.Tail tail = layouts.containsKey(target) ? null
                : sessions.tail(new ArrayList<>(layouts.keySet()), target);
        List<String> cachedTensors = cachedTensors(steps, tail, input, target);
        Map<String, float[]> cached = new HashMap<>();
        float[] image = occluder.original();
        cached.put(input, image);
        for (Map.Entry<String, PatchSessions.Feed> e : sessions.cache(cachedTensors, input,
                new PatchSessions.Feed(image, occluder.shape())).entrySet()) {
            cached.put(e.getKey(), e.getValue().values());
            shapes.put(e.getKey(), e.getValue().shape());
        }
        String path = (tau > 0 ? "approximate (tau " + tau + ") " : "") + "incremental: " + patched.nodes().size()
                + " of " + pathNodes.size() + " nodes patched in " + steps.size() + " steps"
                + (patched.stoppedAt() == null ? "" : ", in full from " + patched.stoppedAt())
                + (Double.isNaN(macShare) ? ", no convolutions"
                        : String.format(java.util.Locale.ROOT, ", %.0f %% of the convolutions' work", 100 * macShare))
                + estimate;
        return Optional.of(new IncrementalSweep(sessions, input, target, occluder, List.copyOf(steps), layouts,
                cached, shapes, tail, path, tailBatch));
    }

    /**
     * The patched part: the path's nodes with a rule chained into steps, in graph order, up to the
     * first node without one (in automatic mode, also whose patches cover more than
     * {@link #AUTO_SHARE} of its map) or the first node that would open step {@code maxSteps + 1}.
     *
     * @param steps the steps, in order
     * @param frontier the layouts of the tensors the patched part hands on (the input's, the steps' outputs)
     * @param layouts the layouts of every patched node's output, the input's too
     * @param nodes the patched nodes
     * @param stoppedAt the node patching stopped at, null when it reached the target
     */
    private record Patched(List<PatchStep> steps, Map<String, PatchLayout> frontier, Map<String, PatchLayout> layouts,
            Set<Node> nodes, String stoppedAt) {
    }

    private static Patched patch(Graph graph, long opset, List<Node> pathNodes, Set<String> pathTensors,
            Map<String, long[]> shapes, String input, PatchLayout inputLayout,
            List<Map<String, ChangedRegions.Region>> regions, boolean auto, String target, int maxSteps) {
        Map<String, PatchLayout> frontier = new LinkedHashMap<>();
        frontier.put(input, inputLayout);
        Map<String, PatchLayout> layouts = new HashMap<>(frontier);
        List<PatchStep> steps = new ArrayList<>();
        Set<Node> nodes = new HashSet<>();
        String stoppedAt = null;
        for (Node node : pathNodes) {
            Optional<PatchRule> rule = ruleOf(graph, opset, node, pathTensors, shapes, frontier, regions);
            Optional<PatchLayout> out = rule.flatMap(r -> PatchLayout.of(node.output(), shapes.get(node.output()),
                    regions));
            PatchStep last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
            boolean chained = last != null && rule.isPresent() && chains(graph, last, rule.get(), target);
            if (rule.isEmpty() || out.isEmpty() || auto && out.get().share() > AUTO_SHARE
                    || !chained && steps.size() == maxSteps) {
                stoppedAt = node.describe();
                break;
            }
            if (chained) {
                steps.set(steps.size() - 1, last.then(rule.get()));
                frontier.remove(last.output());
            } else {
                steps.add(new PatchStep(List.of(rule.get())));
            }
            frontier.put(node.output(), out.get());
            layouts.put(node.output(), out.get());
            nodes.add(node);
        }
        return new Patched(List.copyOf(steps), frontier, layouts, nodes, stoppedAt);
    }

    /**
     * The estimated cost ({@link PatchCosts}) of the sweep of {@code windows} windows that keeps the
     * first k of the patched part's steps and runs the rest in full, as a share of the full
     * recompute's, at index k - 1; the sessions of steps not open yet count.
     */
    private static double[] costShares(PatchCosts costs, Patched patched, List<Node> pathNodes, String input,
            String target, PatchSessions sessions, int windows) {
        double full = 0;
        for (Node n : pathNodes) {
            full += costs.fullMacs(n);
        }
        Set<Node> kept = new HashSet<>();
        Set<String> produced = new HashSet<>(Set.of(input));
        double stepsCost = 0;
        List<PatchStep> steps = patched.steps();
        double[] shares = new double[steps.size()];
        for (int k = 1; k <= steps.size(); k++) {
            PatchStep step = steps.get(k - 1);
            stepsCost += costs.step(step, patched.layouts()) + PatchCosts.PER_WINDOW_RUN
                    + (sessions.isOpen(step) ? 0 : PatchCosts.PER_SESSION / windows);
            for (PatchRule r : step.rules()) {
                kept.add(r.node());
                produced.add(r.node().output());
            }
            // a path without weights (Transposes, pools...) has nothing to save: infinite, never chosen
            shares[k - 1] = full == 0 ? Double.POSITIVE_INFINITY
                    : (stepsCost + costs.tail(pathNodes, kept, produced, target)) / full;
        }
        return shares;
    }

    /**
     * The multiply-adds of the path's convolutions, patched (on each window's own box) or in full after
     * the patched part, as a share of all of them in full; NaN for a path without convolutions.
     */
    private static double convolutionShare(PatchCosts costs, List<Node> pathNodes, Map<String, PatchLayout> patched) {
        double full = 0;
        double incremental = 0;
        for (Node n : pathNodes) {
            if (!n.opType().equals("Conv")) {
                continue;
            }
            double fullWork = costs.fullMacs(n);
            full += fullWork;
            PatchLayout l = patched.get(n.output());
            incremental += l == null ? fullWork : costs.patchedMacs(n, l);
        }
        return full == 0 ? Double.NaN : incremental / full;
    }

    /** Every window's changed regions. */
    private static List<Map<String, ChangedRegions.Region>> regions(Graph graph, long opset,
            Map<String, long[]> shapes, Occluder occluder, WindowGrid grid, double tau) {
        ChangedRegions changed = new ChangedRegions(graph, opset, shapes, occluder.layout().heightAxis(),
                occluder.layout().widthAxis(), tau);
        List<Map<String, ChangedRegions.Region>> regions = new ArrayList<>(grid.count());
        for (int k = 0; k < grid.count(); k++) {
            WindowGrid.Window w = grid.window(k);
            regions.add(changed.from(w.top(), w.left(), w.bottom() - 1, w.right() - 1));
        }
        return regions;
    }

    /** The tensors to cache (the target first): the steps' inputs and outputs and the tail's inputs, the image aside. */
    private static List<String> cachedTensors(List<PatchStep> steps, PatchSessions.Tail tail, String input,
            String target) {
        Set<String> tensors = new java.util.LinkedHashSet<>();
        tensors.add(target);
        for (PatchStep s : steps) {
            tensors.addAll(s.head().pathInputs());
            tensors.add(s.output());
        }
        if (tail != null) {
            tensors.addAll(tail.inputs());
        }
        tensors.remove(input);
        return new ArrayList<>(tensors);
    }

    /** The node's rule when its image inputs are patched with the rows and columns it expects. */
    private static Optional<PatchRule> ruleOf(Graph graph, long opset, Node node, Set<String> pathTensors,
            Map<String, long[]> shapes, Map<String, PatchLayout> layouts,
            List<Map<String, ChangedRegions.Region>> regions) {
        ChangedRegions.Region r = regions.get(0).get(node.output());
        if (r == null || r.whole()) {
            return Optional.empty();
        }
        Optional<PatchRule> rule = PatchRule.of(graph, node, opset, pathTensors, shapes, r.rowAxis(), r.colAxis());
        if (rule.isEmpty()) {
            return rule;
        }
        for (String in : rule.get().pathInputs()) {
            PatchLayout l = layouts.get(in);
            if (l == null) {
                return Optional.empty(); // read from a tensor computed in full
            }
            boolean sameAxes = l.rowAxis() == r.rowAxis() && l.colAxis() == r.colAxis();
            if (rule.get().kind() != PatchRule.Kind.TRANSPOSE && !sameAxes) {
                return Optional.empty();
            }
        }
        return rule;
    }

    /** Whether {@code next} joins {@code last}: positionwise on its output alone, the output read by nothing else. */
    private static boolean chains(Graph graph, PatchStep last, PatchRule next, String target) {
        return next.kind() == PatchRule.Kind.POSITIONWISE && next.pathInputs().equals(List.of(last.output()))
                && graph.consumers(last.output()).size() == 1 && !last.output().equals(target);
    }

    /** The graph cut at {@code target}: the nodes it depends on, in graph order. */
    private static Graph cut(Graph graph, String target) {
        return new Graph(graph.name(), graph.nodesFeeding(target), graph.initializers(), graph.inputs(), List.of(), "");
    }

    /** The nodes of {@code graph} (cut at the target) that read the image, in graph order. */
    private static List<Node> pathNodes(Graph graph, String input, String target) {
        Set<String> reached = new HashSet<>(Set.of(input));
        List<Node> out = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (n.inputs().stream().anyMatch(reached::contains)) {
                out.add(n);
                reached.addAll(n.outputs());
            }
        }
        return out;
    }
}
