package io.dnnvis.methods.occlusion;

import java.util.Map;

/**
 * How many occluded images one ONNX Runtime run takes, and why.
 *
 * <p>One image costs about {@link #bytesPerImage}: its copy in the Java batch array and the copy of
 * its target values, plus, on ONNX Runtime's side, every tensor the target depends on (the input
 * included) at batch 1, as probed on the graph cut at the target. That over-counts (ONNX Runtime
 * reuses buffers between layers) rather than under-counts. The batch is capped so that batch x
 * that stays under the memory cap (by default {@link #defaultMemoryCap()}), the Java arrays under a quarter of the
 * heap, every Java array under {@link #MAX_ARRAY} elements, and batch x the largest tensor of one
 * image (the input, the target or any tensor between them) within the engine's
 * {@code --max-tensor-bytes}; one image always runs (one that exceeds that limit is refused before).
 *
 * @param requested the batch asked for; 0 for automatic
 * @param images the batch used: the requested one or the default, at most {@code limit}
 * @param limit the largest batch that fits
 * @param bytesPerImage the estimated memory of one occluded image in a run
 * @param largestTensorBytes the largest tensor of one image, fed, computed or received
 * @param maxTensorBytes the largest tensor a run may have (the engine's limit)
 */
public record BatchPlan(int requested, int images, int limit, long bytesPerImage, long largestTensorBytes,
        long maxTensorBytes) {

    /** Elements of the longest Java array every JVM allocates. */
    public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** A default batch keeps a batch's input and target tensors under this many bytes. */
    public static final long BATCH_BYTES = 64L << 20;
    /**
     * The largest default batch. On CPU, throughput stops growing at a few images per run and drops
     * beyond ~16 as the intermediate activations leave the caches (alexnet-mini conv5, 784 windows on
     * 2 cores: 4.1 s at 4, 4.3 s at 16, 5.2 s at 64, 5.5 s at 128).
     */
    public static final int MAX_DEFAULT_BATCH = 16;
    /** The default memory cap's bounds: a quarter of the available memory, within these. */
    public static final long MIN_DEFAULT_CAP = 256L << 20;
    public static final long MAX_DEFAULT_CAP = 4L << 30;

    /** Whether an explicit batch was more than fits and {@link #images} is smaller. */
    public boolean reduced() {
        return requested > limit;
    }

    /** Whether the limit comes from {@link #maxTensorBytes} (a larger batch would make a tensor exceed it). */
    public boolean limitedByTensorBytes() {
        return limit == Math.max(1, Math.min(Integer.MAX_VALUE, maxTensorBytes / Math.max(1, largestTensorBytes)));
    }

    /**
     * The plan under {@code memoryCap} (0: {@link #defaultMemoryCap()}), a quarter of this JVM's heap
     * and {@code maxTensorBytes}.
     *
     * @param shapes every tensor the target depends on at batch 1 (empty when unknown)
     */
    static BatchPlan withinMemory(int requested, long[] inputShape, long[] targetShape, Map<String, long[]> shapes,
            long maxTensorBytes, long memoryCap) {
        long cap = memoryCap > 0 ? memoryCap : defaultMemoryCap();
        long heap = Runtime.getRuntime().maxMemory();
        long heapBudget = heap == Long.MAX_VALUE ? cap : heap / 4;
        return of(requested, inputShape, targetShape, shapes, cap, heapBudget, maxTensorBytes);
    }

    /**
     * The default memory cap of one run: a quarter of the memory the machine has available now
     * ({@code MemAvailable} of {@code /proc/meminfo}, else the free physical memory), within
     * {@link #MIN_DEFAULT_CAP} and {@link #MAX_DEFAULT_CAP}; 1 GiB where neither is known.
     */
    public static long defaultMemoryCap() {
        long available = AvailableMemory.bytes();
        if (available <= 0) {
            return 1L << 30;
        }
        return Math.max(MIN_DEFAULT_CAP, Math.min(MAX_DEFAULT_CAP, available / 4));
    }

    /** {@link #of(int, long[], long[], Map, long, long, long)} with no limit on one tensor. */
    static BatchPlan of(int requested, long[] inputShape, long[] targetShape, Map<String, long[]> shapes,
            long budget, long heapBudget) {
        return of(requested, inputShape, targetShape, shapes, budget, heapBudget, Long.MAX_VALUE);
    }

    /**
     * The plan for one input of {@code inputShape} watched at a target of {@code targetShape}.
     *
     * @param shapes every tensor the target depends on at batch 1 (empty when unknown: then the
     *     input and the target alone are counted on ONNX Runtime's side)
     * @param budget bytes one run may take
     * @param heapBudget bytes the Java arrays of one run may take
     * @param maxTensorBytes bytes one tensor of a run may take (batch x its size for one image)
     */
    static BatchPlan of(int requested, long[] inputShape, long[] targetShape, Map<String, long[]> shapes,
            long budget, long heapBudget, long maxTensorBytes) {
        long in = Sweep.count(inputShape);
        long out = Sweep.count(targetShape);
        long nativeFloats = 0;
        long largestFloats = Math.max(in, out);
        for (long[] shape : shapes.values()) {
            long floats = Sweep.count(shape);
            nativeFloats = Math.addExact(nativeFloats, floats);
            largestFloats = Math.max(largestFloats, floats);
        }
        if (shapes.isEmpty()) {
            nativeFloats = in + out;
        }
        long javaBytes = Math.multiplyExact(Float.BYTES, in + out);
        long bytes = Math.addExact(javaBytes, Math.multiplyExact(Float.BYTES, nativeFloats));
        long fit = Math.min(budget / bytes, heapBudget / javaBytes);
        fit = Math.min(fit, MAX_ARRAY / Math.max(in, out));
        long largestBytes = Math.multiplyExact(Float.BYTES, largestFloats);
        fit = Math.min(fit, maxTensorBytes / Math.max(1, largestBytes));
        int limit = (int) Math.max(1, Math.min(Integer.MAX_VALUE, fit));
        int wanted = requested > 0 ? requested : defaultBatch(inputShape, targetShape);
        return new BatchPlan(requested, Math.min(wanted, limit), limit, bytes, largestBytes, maxTensorBytes);
    }

    /** The default batch: as many images as keep a batch's input and target tensors under {@link #BATCH_BYTES}. */
    static int defaultBatch(long[] inputShape, long[] targetShape) {
        long perImage = Float.BYTES * Math.max(Sweep.count(inputShape), Sweep.count(targetShape));
        return (int) Math.max(1, Math.min(MAX_DEFAULT_BATCH, BATCH_BYTES / Math.max(1, perImage)));
    }
}
