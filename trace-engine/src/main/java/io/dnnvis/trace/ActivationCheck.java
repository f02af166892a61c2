package io.dnnvis.trace;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Quoted;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks, before anything runs, that the tensors of a run fit, from their static shapes (ONNX
 * Runtime's shape inference on the graph without its weights: nothing is allocated or run):
 *
 * <ul>
 *   <li>no tensor the targets depend on (the input included) is larger than
 *       {@link EngineOptions#maxTensorBytes()} at 4 bytes an element (float32, as the engine computes);</li>
 *   <li>all of them together fit in the memory this machine has besides the Java heap (its
 *       physical memory less the heap's maximum): a forward run counts each tensor once, a backward
 *       run twice (its forward value and the signal at it, per selection). That is an upper estimate:
 *       ONNX Runtime reuses buffers between layers.</li>
 * </ul>
 *
 * <p>When some shape depends on data (static inference does not settle it), nothing is checked.
 * Several selections of a backward run are cut into batches that fit by {@code BackwardEngine#batchLimit}.
 * Thread-safe; the inferred shapes are cached per input shapes.
 */
public final class ActivationCheck {

    /** Bytes of one element of a tensor as counted here (float32). */
    public static final int ELEMENT_BYTES = Float.BYTES;

    private final OnnxModel model;
    private final EngineOptions options;
    private final long memory;
    private final Memo<Map<String, List<Long>>, Optional<Map<String, long[]>>> inferred = new Memo<>();

    /** A check against this machine's memory besides the Java heap. */
    public ActivationCheck(OnnxModel model, EngineOptions options) {
        this(model, options, memoryBesidesHeap());
    }

    /** A check against {@code memory} bytes for all tensors of a run (tests). */
    ActivationCheck(OnnxModel model, EngineOptions options, long memory) {
        this.model = model;
        this.options = options;
        this.memory = memory;
    }

    /** Every node output's shape from static inference, once per input shapes; empty when some is not static. */
    Optional<Map<String, long[]>> inferred(Map<String, long[]> inputShapes) {
        return inferred.get(boxed(inputShapes), k -> StaticShapes.infer(model, inputShapes, options));
    }

    /**
     * Checks a run that computes {@code targets} (tensor names) from inputs of {@code inputShapes}.
     *
     * @param signals whether the run also carries a signal at every tensor (a backward run, per selection)
     * @return the shapes checked (the tensors the targets depend on, the inputs included), or an
     *     empty map when some shape is not static
     * @throws TensorTooLargeException when a tensor, or all of them together, does not fit
     */
    public Map<String, long[]> check(Collection<String> targets, Map<String, long[]> inputShapes, boolean signals) {
        Optional<Map<String, long[]>> all = inferred(inputShapes);
        if (all.isEmpty()) {
            return Map.of();
        }
        Map<String, long[]> shapes = new LinkedHashMap<>(inputShapes);
        for (String tensor : ancestors(targets)) {
            long[] shape = all.get().get(tensor);
            if (shape != null) {
                shapes.put(tensor, shape);
            }
        }
        String largest = null;
        long largestBytes = 0;
        long total = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long bytes = bytes(e.getValue());
            total = saturatedAdd(total, bytes);
            if (largest == null || bytes > largestBytes) {
                largest = e.getKey();
                largestBytes = bytes;
            }
        }
        if (largest == null) {
            return shapes;
        }
        String shape = Arrays.toString(shapes.get(largest));
        if (largestBytes > options.maxTensorBytes()) {
            throw TensorTooLargeException.overLimit(model.path(), largest, shapes.get(largest), largestBytes,
                    options.maxTensorBytes());
        }
        long needed = signals ? saturatedAdd(total, total) : total;
        if (needed > memory) {
            throw new TensorTooLargeException(model.path() + ": a run needs about " + needed + " bytes of tensors"
                    + " (the largest '" + Quoted.name(largest) + "' of shape " + shape + ", " + largestBytes
                    + " bytes), more than the " + memory + " bytes this machine has besides the Java heap;"
                    + " use a smaller input");
        }
        return shapes;
    }

    /**
     * How many inputs may run in one batch by the shapes {@link #check} returned for one input (batch
     * 1): the largest B that keeps every tensor x B within {@link EngineOptions#maxTensorBytes()} and
     * all of them x B (x 2 with {@code signals}) within the memory; every tensor is counted as if it
     * grew with the batch, an upper estimate. {@link Integer#MAX_VALUE} when {@code checked} is empty
     * (the shapes are not static and nothing is known); at least 1.
     */
    public int batchFit(Map<String, long[]> checked, boolean signals) {
        long largest = 0;
        long total = 0;
        for (long[] shape : checked.values()) {
            long bytes = bytes(shape);
            largest = Math.max(largest, bytes);
            total = saturatedAdd(total, bytes);
        }
        if (largest == 0) {
            return Integer.MAX_VALUE;
        }
        long needed = signals ? saturatedAdd(total, total) : total;
        long fit = Math.min(options.maxTensorBytes() / largest, memory / needed);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, fit));
    }

    /** Bytes of a tensor of {@code shape} as counted here; {@link Long#MAX_VALUE} when that overflows. */
    public static long bytes(long[] shape) {
        long n = ELEMENT_BYTES;
        for (long d : shape) {
            if (d != 0 && n > Long.MAX_VALUE / d) {
                return Long.MAX_VALUE;
            }
            n *= d;
        }
        return n;
    }

    /** Physical memory less the Java heap's maximum; {@link Long#MAX_VALUE} when unknown. */
    static long memoryBesidesHeap() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long physical = os.getTotalMemorySize();
            long heap = Runtime.getRuntime().maxMemory();
            if (physical > 0 && heap != Long.MAX_VALUE) {
                return Math.max(0, physical - heap);
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * The node outputs the targets depend on, the targets included (graph inputs not), in the
     * graph's node order: of equally large tensors, the first computed is named.
     */
    private List<String> ancestors(Collection<String> targets) {
        List<NodeProto> nodes = model.runtimeProto().getGraph().getNodeList();
        Map<String, NodeProto> producers = new HashMap<>();
        for (NodeProto n : nodes) {
            for (String out : n.getOutputList()) {
                producers.put(out, n);
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(targets);
        while (!todo.isEmpty()) {
            String tensor = todo.pop();
            NodeProto producer = producers.get(tensor);
            if (producer != null && seen.add(tensor)) {
                todo.addAll(producer.getInputList());
            }
        }
        List<String> ordered = new ArrayList<>();
        for (NodeProto n : nodes) {
            n.getOutputList().stream().filter(seen::contains).forEach(ordered::add);
        }
        return ordered;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static Map<String, List<Long>> boxed(Map<String, long[]> shapes) {
        Map<String, List<Long>> out = new HashMap<>();
        shapes.forEach((name, shape) -> out.put(name, Arrays.stream(shape).boxed().toList()));
        return Map.copyOf(out);
    }
}
