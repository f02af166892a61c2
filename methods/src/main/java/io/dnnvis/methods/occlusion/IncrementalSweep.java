package io.dnnvis.methods.occlusion;

import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * Exact incremental occlusion (issue 22, after Krypton): the tensors of the unoccluded image come
 * from one forward pass; then, layer by layer in graph order, each window's occluded values are
 * recomputed on its changed box only ({@link ChangedRegions}, one {@link PatchLayout} per tensor),
 * from its inputs' boxes with the halo the op reads: new values where an input changed, cached
 * values elsewhere, the op's pad value outside ({@link PatchRule}). Windows run in batches ordered by
 * the sizes of their boxes, each batch with its largest boxes, one small graph per {@link PatchStep}. From the first node without a rule, or whose
 * patches cover more of its output than {@link #AUTO_SHARE} (where a full computation costs about as
 * much), the rest of the graph runs in full on the batch, fed the patched tensors (cached values with
 * the patches written in). The watched tensor of every window is the same as the full recompute's,
 * up to the order of floating-point sums.
 */
final class IncrementalSweep implements WindowSweep {

    /** In automatic mode, a step whose patch covers more than this share of its output's map runs in full instead. */
    static final double AUTO_SHARE = 0.9;
    /**
     * In automatic mode, the incremental computation runs only for at least this many windows per
     * step: each step opens a session of its own on the first run of a layer, which costs about one
     * occluded image's forward pass (ResNet-50 relu49, 36 windows: 4.0 s in full, 10.0 s patched in 70
     * steps, most of it opening sessions).
     */
    static final int AUTO_WINDOWS_PER_STEP = 2;
    /**
     * In automatic mode, the incremental computation runs only where its convolutions cost at most this
     * share of the full recompute's (multiply-adds counted on each window's own boxes): the patches pay
     * for their crops and for one run per step and batch, which deep graphs of small convolutions feel
     * (measured, 2 threads: AlexNet conv5 w15 s8 at 19 % ran in 0.37 × the full recompute's time,
     * VGG-16 conv13 w15 s16 at 10 % in 0.21 ×, ResNet-50 relu49 w15 s16 at 35 % in 1.6 ×, 70 steps).
     */
    static final double AUTO_MAC_SHARE = 0.3;
    /**
     * Windows per run of the rest of the graph when the batch is automatic: a classifier's weights are
     * read once per run (AlexNet's first Gemm: 151 MB), so a larger batch than the patches' pays there.
     */
    static final int TAIL_BATCH = 64;

    private final PatchSessions sessions;
    private final String input;
    private final String target;
    private final Occluder occluder;
    private final List<PatchStep> steps;
    private final Map<String, PatchLayout> layouts;
    private final Map<String, float[]> cached;
    private final Map<String, long[]> shapes;
    private final PatchSessions.Tail tail;
    private final String path;
    private final int tailBatch;

    private IncrementalSweep(PatchSessions sessions, String input, String target, Occluder occluder,
            List<PatchStep> steps, Map<String, PatchLayout> layouts, Map<String, float[]> cached,
            Map<String, long[]> shapes, PatchSessions.Tail tail, String path, int tailBatch) {
        this.sessions = sessions;
        this.input = input;
        this.target = target;
        this.occluder = occluder;
        this.steps = steps;
        this.layouts = layouts;
        this.cached = cached;
        this.shapes = shapes;
        this.tail = tail;
        this.path = path;
        this.tailBatch = tailBatch;
    }

    /**
     * The incremental sweep of {@code grid} watching {@code target}; empty where it does not apply
     * (no node after the input has a rule, the shapes are unknown) or, when {@code auto}, would not save
     * work: the caller then recomputes in full.
     *
     * @param probed the shapes of the tensors the target depends on (batch 1)
     * @param auto whether to stop patching where patches cover most of a map ({@link #AUTO_SHARE})
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
            regions = regions(graph, shapes, occluder, grid, tau);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a shape the walk needs is unknown
        }
        Map<String, PatchLayout> layouts = new LinkedHashMap<>();
        Optional<PatchLayout> inputLayout = PatchLayout.of(input, shapes.get(input), regions);
        if (inputLayout.isEmpty()) {
            return Optional.empty();
        }
        layouts.put(input, inputLayout.get());
        List<PatchStep> steps = new ArrayList<>();
        Map<String, PatchLayout> patched = new HashMap<>();
        String stoppedAt = null;
        int patchedNodes = 0;
        for (Node node : pathNodes) {
            Optional<PatchRule> rule = ruleOf(graph, node, pathTensors, shapes, layouts, regions);
            Optional<PatchLayout> out = rule.flatMap(r -> PatchLayout.of(node.output(), shapes.get(node.output()),
                    regions));
            if (rule.isEmpty() || out.isEmpty() || auto && out.get().share() > AUTO_SHARE) {
                stoppedAt = node.describe();
                break;
            }
            PatchStep last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
            if (last != null && chains(graph, last, rule.get(), target)) {
                steps.set(steps.size() - 1, last.then(rule.get()));
                layouts.remove(last.output());
            } else {
                steps.add(new PatchStep(List.of(rule.get())));
            }
            layouts.put(node.output(), out.get());
            patched.put(node.output(), out.get());
            patchedNodes++;
        }
        double macShare = convolutionShare(graph, pathNodes, patched, shapes);
        if (steps.isEmpty() || auto && (grid.count() < AUTO_WINDOWS_PER_STEP * steps.size()
                || macShare > AUTO_MAC_SHARE)) {
            return Optional.empty();
        }
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
        String path = (tau > 0 ? "approximate (tau " + tau + ") " : "") + "incremental: " + patchedNodes + " of "
                + pathNodes.size() + " nodes patched in " + steps.size() + " steps"
                + (stoppedAt == null ? "" : ", in full from " + stoppedAt)
                + String.format(java.util.Locale.ROOT, ", %.0f %% of the convolutions' work", 100 * macShare);
        return Optional.of(new IncrementalSweep(sessions, input, target, occluder, List.copyOf(steps), layouts,
                cached, shapes, tail, path, tailBatch));
    }

    /**
     * The multiply-adds of the path's convolutions, patched (on each window's own box) or in full after
     * the patched part, as a share of all of them in full.
     */
    private static double convolutionShare(Graph graph, List<Node> pathNodes, Map<String, PatchLayout> patched,
            Map<String, long[]> shapes) {
        double full = 0;
        double incremental = 0;
        for (Node n : pathNodes) {
            long[] out = shapes.get(n.output());
            String w = n.inputs().size() > 1 ? n.inputs().get(1) : "";
            if (!n.opType().equals("Conv") || out == null || out.length != 4 || !graph.isInitializer(w)) {
                continue;
            }
            long[] dims = graph.initializers().get(w).dims();
            double perOutput = (double) out[1] * dims[1] * (dims.length > 2 ? dims[2] : 1)
                    * (dims.length > 3 ? dims[3] : 1);
            PatchLayout l = patched.get(n.output());
            double fullWork = perOutput * out[2] * out[3];
            full += fullWork;
            if (l == null) {
                incremental += fullWork;
            } else {
                double area = 0;
                for (int k = 0; k < l.heights().length; k++) {
                    area += (double) l.heights()[k] * l.widths()[k];
                }
                incremental += perOutput * area / l.heights().length;
            }
        }
        return full == 0 ? 1 : incremental / full;
    }

    /** Every window's changed regions. */
    private static List<Map<String, ChangedRegions.Region>> regions(Graph graph, Map<String, long[]> shapes,
            Occluder occluder, WindowGrid grid, double tau) {
        ChangedRegions changed = new ChangedRegions(graph, shapes, occluder.layout().heightAxis(),
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

    @Override
    public float[] unoccluded() {
        return cached.get(target).clone();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public void run(WindowGrid grid, int batch, OcclusionProgress progress, Sweep.Sink sink) {
        int total = grid.count();
        progress.windowsDone(0, total);
        TailQueue queue = new TailQueue(Math.max(batch, tailBatch), sink);
        int[] order = bySize(total);
        for (int done = 0; done < total; ) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("occlusion interrupted after " + done + " of " + total + " windows");
            }
            int n = Math.min(batch, total - done);
            runBatch(grid, Arrays.copyOfRange(order, done, done + n), sink, queue);
            done += n;
            progress.windowsDone(done, total);
        }
        queue.flush();
    }

    /**
     * The windows ordered by the sizes of their patches, the last patched tensors' first (they cost
     * most): a batch of neighbours in this order runs with boxes little larger than their own.
     */
    private int[] bySize(int total) {
        List<PatchLayout> ordered = new ArrayList<>(layouts.values());
        java.util.Collections.reverse(ordered);
        java.util.Comparator<Integer> order = java.util.Comparator.comparingInt(k -> 0);
        for (PatchLayout l : ordered) {
            order = order.thenComparingInt(k -> l.heights()[k] * l.widths()[k]).thenComparingInt(k -> l.heights()[k]);
        }
        return java.util.stream.IntStream.range(0, total).boxed().sorted(order.thenComparingInt(k -> k))
                .mapToInt(Integer::intValue).toArray();
    }

    /** Windows {@code ids}: the steps on their patches (each tensor's largest box of the batch), then the watched tensor of each. */
    private void runBatch(WindowGrid grid, int[] ids, Sweep.Sink sink, TailQueue queue) {
        int n = ids.length;
        Map<String, int[]> sizes = new HashMap<>();
        layouts.forEach((t, l) -> sizes.put(t, l.largest(ids)));
        Map<String, float[]> patches = new HashMap<>();
        float[] image = new float[n * box(input, ids[0], sizes).count()];
        for (int k = 0; k < n; k++) {
            PatchBox b = box(input, ids[k], sizes);
            occluder.paintPatch(image, k * b.count(), b, grid.window(ids[k]));
        }
        patches.put(input, image);
        for (PatchStep step : steps) {
            Map<String, PatchSessions.Feed> feeds = new LinkedHashMap<>();
            for (String t : step.head().pathInputs()) {
                feeds.put(t, gather(step.head(), t, step.output(), ids, sizes, patches.get(t)));
            }
            patches.put(step.output(), sessions.runStep(step, feeds));
        }
        if (tail == null) {
            float[] base = cached.get(target);
            float[] full = new float[base.length];
            PatchBox whole = PatchBox.whole(shapes.get(target));
            for (int k = 0; k < n; k++) {
                System.arraycopy(base, 0, full, 0, full.length);
                PatchBox b = box(target, ids[k], sizes);
                PatchBox.copyOverlap(patches.get(target), b, k * b.count(), full, whole, 0);
                sink.accept(ids[k], full, 0);
            }
            return;
        }
        for (int k = 0; k < n; k++) {
            Map<String, float[]> full = new HashMap<>();
            for (String t : tail.inputs()) {
                float[] values = cached.get(t).clone();
                PatchBox b = box(t, ids[k], sizes);
                PatchBox.copyOverlap(patches.get(t), b, k * b.count(), values, PatchBox.whole(shapes.get(t)), 0);
                full.put(t, values);
            }
            queue.add(ids[k], full);
        }
    }

    /** Window {@code k}'s box of tensor {@code t} at the batch's size. */
    private PatchBox box(String t, int k, Map<String, int[]> sizes) {
        int[] size = sizes.get(t);
        return layouts.get(t).box(k, size[0], size[1]);
    }

    /**
     * The windows waiting for the rest of the graph, run in full once a batch of them is there
     * (whatever their patches' sizes: the tail's weights, a classifier's above all, are read once per
     * batch); one window per run once the tail has refused a batch (a graph that pins its batch).
     */
    private final class TailQueue {

        private final int batch;
        private final Sweep.Sink sink;
        private final List<Integer> ids = new ArrayList<>();
        private final List<Map<String, float[]>> tensors = new ArrayList<>();
        private boolean batches = true;

        TailQueue(int batch, Sweep.Sink sink) {
            this.batch = batch;
            this.sink = sink;
        }

        void add(int id, Map<String, float[]> full) {
            ids.add(id);
            tensors.add(full);
            if (ids.size() >= batch) {
                flush();
            }
        }

        void flush() {
            int n = ids.size();
            if (n == 0) {
                return;
            }
            if (batches && n > 1) {
                try {
                    PatchSessions.Feed out = sessions.runTail(tail, feeds(0, n), target);
                    if (out.shape().length > 0 && out.shape()[0] == n) {
                        int size = out.values().length / n;
                        for (int k = 0; k < n; k++) {
                            sink.accept(ids.get(k), out.values(), k * size);
                        }
                        clear();
                        return;
                    }
                } catch (io.dnnvis.trace.ModelRefusedException e) {
                    // the graph pins its batch (a Reshape to a constant shape): one window at a time
                }
                batches = false;
            }
            for (int k = 0; k < n; k++) {
                sink.accept(ids.get(k), sessions.runTail(tail, feeds(k, k + 1), target).values(), 0);
            }
            clear();
        }

        private void clear() {
            ids.clear();
            tensors.clear();
        }

        /** The tail's inputs of the queued windows {@code from .. to - 1}, stacked. */
        private Map<String, PatchSessions.Feed> feeds(int from, int to) {
            Map<String, PatchSessions.Feed> feeds = new LinkedHashMap<>();
            for (String t : tail.inputs()) {
                int size = cached.get(t).length;
                float[] stacked = new float[(to - from) * size];
                for (int k = from; k < to; k++) {
                    System.arraycopy(tensors.get(k).get(t), 0, stacked, (k - from) * size, size);
                }
                long[] shape = shapes.get(t).clone();
                shape[0] = to - from;
                feeds.put(t, new PatchSessions.Feed(stacked, shape));
            }
            return feeds;
        }
    }

    /** The crops input {@code t} of {@code rule} reads for the patches of {@code output} of windows {@code ids}. */
    private PatchSessions.Feed gather(PatchRule rule, String t, String output, int[] ids, Map<String, int[]> sizes,
            float[] patch) {
        long[] shape = shapes.get(t);
        PatchBox whole = PatchBox.whole(shape);
        float[] base = cached.get(t);
        PatchBox first = rule.reads(box(output, ids[0], sizes), shape);
        int size = first.count();
        int ownCount = box(t, ids[0], sizes).count();
        float[] crops = new float[ids.length * size];
        for (int k = 0; k < ids.length; k++) {
            PatchBox crop = rule.reads(box(output, ids[k], sizes), shape);
            if (!crop.inside(shape)) {
                Arrays.fill(crops, k * size, (k + 1) * size, rule.pad());
            }
            PatchBox.copyOverlap(base, whole, 0, crops, crop, k * size);
            PatchBox.copyOverlap(patch, box(t, ids[k], sizes), k * ownCount, crops, crop, k * size);
        }
        return new PatchSessions.Feed(crops, first.batchShape(ids.length));
    }

    /** The node's rule when its image inputs are patched with the rows and columns it expects. */
    private static Optional<PatchRule> ruleOf(Graph graph, Node node, Set<String> pathTensors, Map<String, long[]> shapes,
            Map<String, PatchLayout> layouts, List<Map<String, ChangedRegions.Region>> regions) {
        ChangedRegions.Region r = regions.get(0).get(node.output());
        if (r == null || r.whole()) {
            return Optional.empty();
        }
        Optional<PatchRule> rule = PatchRule.of(graph, node, pathTensors, shapes, r.rowAxis(), r.colAxis());
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
        Set<Node> needed = new HashSet<>();
        Deque<Node> todo = new ArrayDeque<>();
        graph.producer(target).ifPresent(todo::add);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (needed.add(n)) {
                n.inputs().forEach(t -> graph.producer(t).ifPresent(todo::push));
            }
        }
        return new Graph(graph.name(), graph.nodes().stream().filter(needed::contains).toList(), graph.initializers(),
                graph.inputs(), List.of(), "");
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
