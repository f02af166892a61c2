package io.dnnvis.onnx;

import java.util.Arrays;

/** Overflow-checked arithmetic on tensor shapes. */
public final class Shapes {

    private Shapes() {
    }

    /**
     * The number of elements of {@code dims}.
     *
     * @throws IllegalArgumentException for a negative dim or a product that overflows a long
     */
    public static long elementCount(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in " + Arrays.toString(dims));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("dimensions " + Arrays.toString(dims) + " overflow", e);
            }
        }
        return n;
    }

    /** {@code elementCount(dims) * bytesPerElement}, overflow-checked. */
    public static long byteCount(long[] dims, int bytesPerElement) {
        try {
            return Math.multiplyExact(elementCount(dims), (long) bytesPerElement);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("dimensions " + Arrays.toString(dims) + " overflow", e);
        }
    }

    /** {@code [1, 3, 224, 224]} style text. */
    public static String format(long[] dims) {
        return Arrays.toString(dims);
    }
}
