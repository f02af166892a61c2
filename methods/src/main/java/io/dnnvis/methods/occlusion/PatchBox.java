package io.dnnvis.methods.occlusion;

import java.util.Arrays;

/**
 * A box of a rank-4 tensor of one image: {@code start[a] .. start[a] + size[a] - 1} on every axis a
 * (axis 0, the batch, is {@code [0, 1)}). A box may reach outside the tensor (a crop with halo
 * over the border), where the op's pad value stands. Values in a box are stored densely, row-major.
 */
record PatchBox(int[] start, int[] size) {

    static final int RANK = 4;

    PatchBox {
        if (start.length != RANK || size.length != RANK) {
            throw new IllegalArgumentException("a patch box has 4 axes");
        }
    }

    /** The whole of a tensor of {@code shape} (batch 1). */
    static PatchBox whole(long[] shape) {
        int[] size = new int[RANK];
        for (int a = 0; a < RANK; a++) {
            size[a] = Math.toIntExact(shape[a]);
        }
        size[0] = 1;
        return new PatchBox(new int[RANK], size);
    }

    /** The whole of {@code shape} except rows {@code [y, y + h)} on {@code rowAxis} and columns {@code [x, x + w)} on {@code colAxis}. */
    static PatchBox of(long[] shape, int rowAxis, int colAxis, int y, int x, int h, int w) {
        PatchBox all = whole(shape);
        int[] start = all.start.clone();
        int[] size = all.size.clone();
        start[rowAxis] = y;
        size[rowAxis] = h;
        start[colAxis] = x;
        size[colAxis] = w;
        return new PatchBox(start, size);
    }

    int count() {
        return size[0] * size[1] * size[2] * size[3];
    }

    /** The box's size with the batch axis set to {@code n}, as an ONNX Runtime shape. */
    long[] batchShape(int n) {
        return new long[] {n, size[1], size[2], size[3]};
    }

    /** Whether it lies inside a tensor of {@code shape}. */
    boolean inside(long[] shape) {
        for (int a = 1; a < RANK; a++) {
            if (start[a] < 0 || start[a] + size[a] > shape[a]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies the values of {@code src} (laid out as box {@code from}, at {@code srcOffset}) that lie
     * in box {@code to} into {@code dst} (laid out as {@code to}, at {@code dstOffset}); positions of
     * {@code to} outside {@code from} are left as they are.
     */
    static void copyOverlap(float[] src, PatchBox from, int srcOffset, float[] dst, PatchBox to, int dstOffset) {
        int[] lo = new int[RANK];
        int[] hi = new int[RANK];
        for (int a = 0; a < RANK; a++) {
            lo[a] = Math.max(from.start[a], to.start[a]);
            hi[a] = Math.min(from.start[a] + from.size[a], to.start[a] + to.size[a]);
            if (lo[a] >= hi[a]) {
                return;
            }
        }
        int run = hi[3] - lo[3];
        int[] fs = from.size;
        int[] ts = to.size;
        for (int i0 = lo[0]; i0 < hi[0]; i0++) {
            for (int i1 = lo[1]; i1 < hi[1]; i1++) {
                int f1 = (i0 - from.start[0]) * fs[1] + i1 - from.start[1];
                int t1 = (i0 - to.start[0]) * ts[1] + i1 - to.start[1];
                for (int i2 = lo[2]; i2 < hi[2]; i2++) {
                    int f = ((f1 * fs[2]) + i2 - from.start[2]) * fs[3] + lo[3] - from.start[3];
                    int t = ((t1 * ts[2]) + i2 - to.start[2]) * ts[3] + lo[3] - to.start[3];
                    System.arraycopy(src, srcOffset + f, dst, dstOffset + t, run);
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PatchBox b && Arrays.equals(start, b.start) && Arrays.equals(size, b.size);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(start) + Arrays.hashCode(size);
    }

    @Override
    public String toString() {
        return "PatchBox" + Arrays.toString(start) + "+" + Arrays.toString(size);
    }
}
