package io.dnnvis.methods.image;

import io.dnnvis.trace.BadInputException;

/**
 * Bounds on the size an image is brought to: the input tensor (3 float32 values a pixel) and the
 * picture (one int a pixel) must each fit one Java array, so at most {@link #MAX_TENSOR_BYTES} bytes
 * of tensor, the default of {@code --max-tensor-bytes}; all arithmetic in long.
 */
final class InputSize {

    /** The largest input tensor, in bytes: 2 GiB - 1, as {@code --max-tensor-bytes}' default. */
    static final long MAX_TENSOR_BYTES = (1L << 31) - 1;

    private InputSize() {
    }

    /**
     * Fails with one line naming {@code what} unless {@code height x width} makes an input tensor of at
     * most {@link #MAX_TENSOR_BYTES}.
     */
    static void requireReasonable(long width, long height, String what) {
        if (width <= 0 || height <= 0) {
            throw new BadInputException(what + ": the size must be positive, got " + height + "x" + width);
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(height, width), 3L), (long) Float.BYTES);
        } catch (ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes > MAX_TENSOR_BYTES) {
            throw new BadInputException(what + ": an input of " + height + "x" + width + " pixels needs "
                    + (bytes == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : bytes) + " bytes of float32, more than "
                    + "the " + MAX_TENSOR_BYTES + " an input tensor may take");
        }
    }

    /** A declared dimension as an int, or one line naming {@code what}. */
    static int toInt(long value, String what) {
        if (value <= 0 || value > Integer.MAX_VALUE) {
            throw new BadInputException(what + ": a declared size of " + value + " pixels cannot be an image size");
        }
        return (int) value;
    }
}
