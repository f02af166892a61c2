package io.dnnvis.methods.occlusion;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the patches of one tensor lie, window by window: each window's changed box (at least one
 * row and column), moved inward where it would leave the tensor. A batch of windows runs with the
 * largest box of its windows (see {@link IncrementalSweep}): a box grown to that size, moved inward
 * at the border, still covers the window's changed box, and its values are recomputed, so it stays
 * exact.
 *
 * @param shape the tensor's shape (batch 1)
 * @param rowAxis the axis of the changed rows
 * @param colAxis the axis of the changed columns
 * @param rows each window's first row
 * @param cols each window's first column
 * @param heights each window's rows
 * @param widths each window's columns
 */
record PatchLayout(long[] shape, int rowAxis, int colAxis, int[] rows, int[] cols, int[] heights, int[] widths) {

    /** The layout of {@code tensor} from each window's changed regions; empty where a region is whole. */
    static Optional<PatchLayout> of(String tensor, long[] shape, List<Map<String, ChangedRegions.Region>> regions) {
        if (shape == null || shape.length != 4 || regions.isEmpty()) {
            return Optional.empty();
        }
        int n = regions.size();
        int rowAxis = -1;
        int colAxis = -1;
        int[] rows = new int[n];
        int[] cols = new int[n];
        int[] heights = new int[n];
        int[] widths = new int[n];
        for (int k = 0; k < n; k++) {
            ChangedRegions.Region r = regions.get(k).get(tensor);
            if (r == null || r.whole() || rowAxis >= 0 && (r.rowAxis() != rowAxis || r.colAxis() != colAxis)) {
                return Optional.empty();
            }
            rowAxis = r.rowAxis();
            colAxis = r.colAxis();
            heights[k] = (int) Math.min(shape[rowAxis], Math.max(1, r.y1() - r.y0() + 1));
            widths[k] = (int) Math.min(shape[colAxis], Math.max(1, r.x1() - r.x0() + 1));
            rows[k] = (int) Math.max(0, Math.min(r.y0(), shape[rowAxis] - heights[k]));
            cols[k] = (int) Math.max(0, Math.min(r.x0(), shape[colAxis] - widths[k]));
        }
        return Optional.of(new PatchLayout(shape, rowAxis, colAxis, rows, cols, heights, widths));
    }

    /** Window {@code k}'s patch box grown to {@code height x width} (at least its own size). */
    PatchBox box(int k, int height, int width) {
        int y = (int) Math.max(0, Math.min(rows[k], shape[rowAxis] - height));
        int x = (int) Math.max(0, Math.min(cols[k], shape[colAxis] - width));
        return PatchBox.of(shape, rowAxis, colAxis, y, x, height, width);
    }

    /** The largest rows and columns of the patches of windows {@code ids}. */
    int[] largest(int[] ids) {
        int h = 1;
        int w = 1;
        for (int k : ids) {
            h = Math.max(h, heights[k]);
            w = Math.max(w, widths[k]);
        }
        return new int[] {h, w};
    }

    /** The largest share of the tensor's rows and columns one window's patch covers. */
    double share() {
        long largest = 0;
        for (int k = 0; k < heights.length; k++) {
            largest = Math.max(largest, (long) heights[k] * widths[k]);
        }
        return (double) largest / (shape[rowAxis] * shape[colAxis]);
    }
}
