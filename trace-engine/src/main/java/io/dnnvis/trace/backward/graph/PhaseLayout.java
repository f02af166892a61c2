package io.dnnvis.trace.backward.graph;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * A tensor {@code [M, C, rows, cols]} held as its stride-{@code s} phases: {@code phases [M, s*s*C,
 * phaseRows, phaseCols]} where phase {@code (i, j)} of channel {@code c} is channel {@code (i*s + j)*C
 * + c} (DepthToSpace's DCR order), cropped at {@code (top, left)}. The polyphase backward pass of a
 * strided convolution ends this way; when that convolution is the first of the model, the
 * interleave runs on the host while the reconstruction is copied out of ONNX Runtime's buffer,
 * instead of as a DepthToSpace and a Slice in the graph.
 */
public record PhaseLayout(long stride, long channels, long phaseRows, long phaseCols, long top, long left,
        long rows, long cols) {

    /** Values from which the interleave runs on several threads. */
    private static final long PARALLEL_FROM = 1 << 20;

    public PhaseLayout {
        if (stride < 1 || channels < 1 || rows < 1 || cols < 1 || top < 0 || left < 0
                || top + rows > stride * phaseRows || left + cols > stride * phaseCols) {
            throw new IllegalArgumentException("inconsistent phase layout " + stride + ", " + channels + ", "
                    + phaseRows + "x" + phaseCols + " -> " + rows + "x" + cols + " at " + top + "," + left);
        }
    }

    /** The shape of the phases of {@code m} tensors. */
    public long[] phaseShape(long m) {
        return new long[] {m, stride * stride * channels, phaseRows, phaseCols};
    }

    /**
     * Interleaves the phases of {@code m} tensors from {@code phases} into {@code dest} from
     * {@code offset} on, as {@code [m, C, rows, cols]} row-major.
     */
    public void interleave(FloatBuffer phases, int m, float[] dest, int offset) {
        int s = (int) stride;
        int c = (int) channels;
        int pr = (int) phaseRows;
        int pc = (int) phaseCols;
        int h = (int) rows;
        int w = (int) cols;
        int[] colOffset = new int[w];
        for (int x = 0; x < w; x++) {
            int p = x + (int) left;
            colOffset[x] = (p % s) * c * pr * pc + p / s;
        }
        int phasePlane = pr * pc;
        IntStream planes = IntStream.range(0, m * c);
        // a few hundred thousand values are copied before a parallel stream would have started its threads
        if ((long) m * c * h * w >= PARALLEL_FROM) {
            planes = planes.parallel();
        }
        planes.forEach(plane -> {
            int image = plane / c;
            int channel = plane % c;
            int source = image * s * s * c * phasePlane + channel * phasePlane;
            int target = offset + plane * h * w;
            for (int y = 0; y < h; y++) {
                int p = y + (int) top;
                int row = source + (p % s) * s * c * phasePlane + (p / s) * pc;
                for (int x = 0; x < w; x++) {
                    dest[target + y * w + x] = phases.get(row + colOffset[x]);
                }
            }
        });
    }
}
