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
        // the inner axes that the overlap covers whole in both boxes are one contiguous run in each
        int inner = RANK - 1;
        int run = hi[inner] - lo[inner];
        while (inner > 0 && from.whole(inner, lo, hi) && to.whole(inner, lo, hi)) {
            inner--;
            run *= hi[inner] - lo[inner];
        }
        int[] fromStrides = from.strides();
        int[] toStrides = to.strides();
        int[] i = lo.clone();
        while (true) {
            int f = srcOffset;
            int t = dstOffset;
            for (int a = 0; a < RANK; a++) {
                f += (i[a] - from.start[a]) * fromStrides[a];
                t += (i[a] - to.start[a]) * toStrides[a];
            }
            System.arraycopy(src, f, dst, t, run);
            int a = inner - 1; // the next index of the outer axes, the last fastest
            while (a >= 0 && ++i[a] == hi[a]) {
                i[a] = lo[a];
                a--;
            }
            if (a < 0) {
                return;
            }
        }
    }

    /** Whether {@code [lo, hi)} covers this box whole on {@code axis}. */
    private boolean whole(int axis, int[] lo, int[] hi) {
        return lo[axis] == start[axis] && hi[axis] == start[axis] + size[axis];
    }

    /** The row-major strides of the box's dense layout. */
    private int[] strides() {
        int[] strides = new int[RANK];
        int stride = 1;
        for (int a = RANK - 1; a >= 0; a--) {
            strides[a] = stride;
            stride *= size[a];
        }
        return strides;
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
