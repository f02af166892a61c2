package io.dnnvis.trace;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A host-side float32 tensor: name, shape and row-major data. Integer and bool tensors that a
 * model produces are converted to float. Immutable: the arrays are copied in and out.
 */
public record TensorValue(String name, long[] shape, float[] data) {

    public TensorValue {
        shape = shape.clone();
        long count = elementCount(shape);
        if (count != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " needs "
                    + count + " values, got " + data.length);
        }
        data = data.clone();
    }

    /** A zero tensor of the given shape. */
    public static TensorValue zeros(String name, long[] shape) {
        return new TensorValue(name, shape, new float[Math.toIntExact(elementCount(shape))]);
    }

    /** From an ND4J array (any order; read as row-major). */
    public static TensorValue of(String name, INDArray array) {
        return new TensorValue(name, array.shape(), array.dup('c').data().asFloat());
    }

    /** The same values under another name. */
    public TensorValue withName(String newName) {
        return new TensorValue(newName, shape, data);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
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
        return Nd4j.create(data.clone(), shape, 'c');
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
        return o instanceof TensorValue t && name.equals(t.name) && Arrays.equals(shape, t.shape)
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
