package io.dnnvis.methods.occlusion;

/**
 * The occluder's windows over an {@code H x W} image, row-major (window {@code i * cols + j}), each
 * clipped to the image: rows {@code [top, bottom)}, columns {@code [left, right)}.
 */
final class WindowGrid {

    /** One window, half-open on both axes. */
    record Window(int top, int bottom, int left, int right) {
    }

    private final Axis rows;
    private final Axis cols;

    private WindowGrid(Axis rows, Axis cols) {
        this.rows = rows;
        this.cols = cols;
    }

    /**
     * The original library's layer occlusion: centres at 0, s, 2s, ... up to D-1 on each axis
     * ({@code (D-1)/s + 1} of them), each window {@code [c - (k-1)/2, c + (k-1)/2]} clipped.
     */
    static WindowGrid centred(int height, int width, int window, int stride) {
        return new WindowGrid(Axis.centred(height, window, stride), Axis.centred(width, window, stride));
    }

    /**
     * Captum's {@code Occlusion}: windows start at 0, s, 2s, ... with {@code ceil((D-k)/s) + 1}
     * positions per axis (one when k >= D), the last one cut at the border (empty when s > k puts
     * its start past the border).
     */
    static WindowGrid cornerAligned(int height, int width, int window, int stride) {
        return new WindowGrid(Axis.cornerAligned(height, window, stride), Axis.cornerAligned(width, window, stride));
    }

    int rows() {
        return rows.count();
    }

    int cols() {
        return cols.count();
    }

    int count() {
        return rows.count() * cols.count();
    }

    Window window(int index) {
        int i = index / cols.count();
        int j = index % cols.count();
        return new Window(rows.start[i], rows.end[i], cols.start[j], cols.end[j]);
    }

    /** The window extents along one axis. */
    private record Axis(int[] start, int[] end) {

        int count() {
            return start.length;
        }

        static Axis centred(int size, int window, int stride) {
            int n = (size - 1) / stride + 1;
            int half = (window - 1) / 2;
            int[] start = new int[n];
            int[] end = new int[n];
            for (int i = 0; i < n; i++) {
                int centre = i * stride;
                start[i] = Math.max(0, centre - half);
                end[i] = Math.min(size, centre + half + 1);
            }
            return new Axis(start, end);
        }

        static Axis cornerAligned(int size, int window, int stride) {
            int k = Math.min(window, size);
            int n = (size - k + stride - 1) / stride + 1;
            int[] start = new int[n];
            int[] end = new int[n];
            for (int i = 0; i < n; i++) {
                // with s > k the last start may lie past the border: that window covers nothing (as Captum's)
                start[i] = Math.min(size, i * stride);
                end[i] = Math.min(size, start[i] + k);
            }
            return new Axis(start, end);
        }
    }
}
