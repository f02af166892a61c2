package io.dnnvis.methods.occlusion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Exact incremental occlusion (issue 22, after Krypton): the tensors of the unoccluded image come
 * from one forward pass; then, layer by layer in graph order, each window's occluded values are
 * recomputed on its changed box only ({@link ChangedRegions}, one {@link PatchLayout} per tensor),
 * from its inputs' boxes with the halo the op reads: new values where an input changed, cached
 * values elsewhere, the op's pad value outside ({@link PatchRule}). Windows run in batches ordered by
 * the sizes of their boxes, each batch with its largest boxes, one small graph per {@link PatchStep};
 * {@link IncrementalPlan} decides what is patched. From the first node it does not patch (no rule, or
 * where stopping costs least), the rest of the graph runs in full on the batch, fed the patched
 * tensors (cached values with the patches written in). The watched tensor of every window is the
 * same as the full recompute's, up to the order of floating-point sums.
 */
final class IncrementalSweep implements WindowSweep {

    /**
     * Windows per run of the rest of the graph when the batch is automatic: a classifier's weights are
     * read once per run (AlexNet's first Gemm: 151 MB), so a larger batch than the patches' pays there.
     */
    static final int TAIL_BATCH = 64;
    /**
     * Values of a batch's crops from which they are gathered on all cores (ResNet-50's 1024-channel
     * crops: 1.3 million; AlexNet's largest: 0.2 million, faster on one).
     */
    static final int PARALLEL_GATHER = 1 << 20;

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

    IncrementalSweep(PatchSessions sessions, String input, String target, Occluder occluder,
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
        // each window writes its own crop: large gathers (deep layers of many channels) are copied on all
        // cores while the model's threads wait; small ones cost less on one
        java.util.stream.IntStream windows = java.util.stream.IntStream.range(0, ids.length);
        (crops.length >= PARALLEL_GATHER ? windows.parallel() : windows).forEach(k -> {
            PatchBox crop = rule.reads(box(output, ids[k], sizes), shape);
            if (!crop.inside(shape)) {
                Arrays.fill(crops, k * size, (k + 1) * size, rule.pad());
            }
            PatchBox.copyOverlap(base, whole, 0, crops, crop, k * size);
            PatchBox.copyOverlap(patch, box(t, ids[k], sizes), k * ownCount, crops, crop, k * size);
        });
        return new PatchSessions.Feed(crops, first.batchShape(ids.length));
    }
}
