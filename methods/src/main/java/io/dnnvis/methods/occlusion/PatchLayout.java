package io.dnnvis.methods.occlusion;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the patches of one tensor lie, window by window: boxes of one size (the largest changed box
 * over the windows, so that a batch of patches is one tensor), each covering its window's changed
 * box and moved inward where it would leave the tensor (its values are recomputed, so a patch larger
 * than what changed stays exact).
 *
 * @param shape the tensor's shape (batch 1)
 * @param rowAxis the axis of the changed rows
 * @param colAxis the axis of the changed columns
 * @param height rows of a patch
 * @param width columns of a patch
 * @param rows each window's first row
 * @param cols each window's first column
 */
record PatchLayout(long[] shape, int rowAxis, int colAxis, int height, int width, int[] rows, int[] cols) {

    /** The layout of {@code tensor} from each window's changed regions; empty where a region is whole. */
    static Optional<PatchLayout> of(String tensor, long[] shape, List<Map<String, ChangedRegions.Region>> regions) {
        if (shape == null || shape.length != 4 || regions.isEmpty()) {
            return Optional.empty();
        }
        int rowAxis = -1;
        int colAxis = -1;
        int h = 1;
        int w = 1;
        for (Map<String, ChangedRegions.Region> window : regions) {
            ChangedRegions.Region r = window.get(tensor);
            if (r == null || r.whole() || rowAxis >= 0 && (r.rowAxis() != rowAxis || r.colAxis() != colAxis)) {
                return Optional.empty();
            }
            rowAxis = r.rowAxis();
            colAxis = r.colAxis();
            h = Math.max(h, r.y1() - r.y0() + 1);
            w = Math.max(w, r.x1() - r.x0() + 1);
        }
        int height = (int) Math.min(h, shape[rowAxis]);
        int width = (int) Math.min(w, shape[colAxis]);
        int[] rows = new int[regions.size()];
        int[] cols = new int[regions.size()];
        for (int k = 0; k < rows.length; k++) {
            ChangedRegions.Region r = regions.get(k).get(tensor);
            rows[k] = (int) Math.max(0, Math.min(r.y0(), shape[rowAxis] - height));
            cols[k] = (int) Math.max(0, Math.min(r.x0(), shape[colAxis] - width));
        }
        return Optional.of(new PatchLayout(shape, rowAxis, colAxis, height, width, rows, cols));
    }

    /** Window {@code k}'s patch box. */
    PatchBox box(int k) {
        return PatchBox.of(shape, rowAxis, colAxis, rows[k], cols[k], height, width);
    }

    /** Values in one patch. */
    int count() {
        return box(0).count();
    }

    /** The share of the tensor's rows and columns one patch covers. */
    double share() {
        return (double) height * width / (shape[rowAxis] * shape[colAxis]);
    }
}
