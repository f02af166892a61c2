package io.dnnvis.trace;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A host-side float32 tensor: name, shape and row-major data. Integer and bool tensors that a
 * model produces are converted to float. Immutable: the arrays are copied in and out, except inside
 * the engine, which hands over arrays nobody else holds ({@link #owning}) and reads without copying.
 */
public final class TensorValue {

    private final String name;
    private final long[] shape;
    private final float[] data;

    /** A tensor holding copies of {@code shape} and {@code data}. */
    public TensorValue(String name, long[] shape, float[] data) {
        this(name, shape.clone(), data.clone(), true);
    }

    /** Takes the arrays as they are; {@code adopt} only tells this constructor from the public one. */
    private TensorValue(String name, long[] shape, float[] data, boolean adopt) {
        long count = elementCount(shape);
        if (count != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " needs "
                    + count + " values, got " + data.length);
        }
        this.name = java.util.Objects.requireNonNull(name, "name");
        this.shape = shape;
        this.data = data;
    }

    /**
     * Takes the arrays without copying, for engine code that has just filled them: the caller must
     * not keep, change or hand them to anybody else afterwards.
     */
    public static TensorValue owning(String name, long[] shape, float[] data) {
        return new TensorValue(name, shape, data, true);
    }

    public String name() {
        return name;
    }

    /** A zero tensor of the given shape. */
    public static TensorValue zeros(String name, long[] shape) {
        return owning(name, shape.clone(), new float[Math.toIntExact(elementCount(shape))]);
    }

    /** From an ND4J array (any order; read as row-major). */
    public static TensorValue of(String name, INDArray array) {
        return owning(name, array.shape(), array.dup('c').data().asFloat());
    }

    /**
     * The tensors joined along their first axis (all other dimensions equal), under the first
     * one's name.
     */
    public static TensorValue concatFirstAxis(java.util.List<TensorValue> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        TensorValue first = parts.get(0);
        long[] shape = first.shape.clone();
        if (shape.length == 0) {
            throw new IllegalArgumentException("tensor '" + first.name + "' is a scalar; no axis to join");
        }
        long rows = 0;
        for (TensorValue p : parts) {
            if (p.shape.length != shape.length
                    || !Arrays.equals(p.shape, 1, p.shape.length, shape, 1, shape.length)) {
                throw new IllegalArgumentException("cannot join " + Arrays.toString(p.shape) + " to "
                        + Arrays.toString(shape));
            }
            rows += p.shape[0];
        }
        shape[0] = rows;
        float[] data = new float[Math.toIntExact(elementCount(shape))];
        int at = 0;
        for (TensorValue p : parts) {
            System.arraycopy(p.data, 0, data, at, p.data.length);
            at += p.data.length;
        }
        return owning(first.name, shape, data);
    }

    /** The same values under another name (the arrays are shared: both are immutable). */
    public TensorValue withName(String newName) {
        return new TensorValue(newName, shape, data, true);
    }

    public long[] shape() {
        return shape.clone();
    }

    public float[] data() {
        return data.clone();
    }

    /**
     * Fails with a {@link BadInputException} when a value is NaN or infinite: a model fed such an
     * input gives meaningless (often silently black) pictures.
     */
    public TensorValue requireFinite(String what) {
        for (int k = 0; k < data.length; k++) {
            if (!Float.isFinite(data[k])) {
                throw new BadInputException(what + " contains " + data[k] + " (at flat index " + k
                        + "); inputs must be finite");
            }
        }
        return this;
    }

    /** Whether every value is finite. */
    public boolean isFinite() {
        for (float v : data) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Read-only access without a copy, for the engine. */
    float[] dataView() {
        return data;
    }

    public int rank() {
        return shape.length;
    }

    public long elementCount() {
        return data.length;
    }

    /** A new row-major (c order) float ND4J array holding a copy of the values. */
    public INDArray toINDArray() {
        return Nd4j.create(data, shape.clone(), 'c'); // ND4J copies the values into its own buffer
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large");
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof TensorValue t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "TensorValue[" + name + ", " + Arrays.toString(shape) + "]";
    }
}
