package io.dnnvis.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An initializer or constant: name, element type, dims and its data in ONNX's {@code raw_data}
 * layout (little-endian, row-major). The buffer is read-only and shared, never copied per access.
 */
public record Tensor(String name, DataType type, long[] dims, ByteBuffer data) {

    public Tensor {
        dims = dims.clone();
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN); // from its position on
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** A little-endian read-only view of the data, positioned at 0. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long elementCount() {
        return Shapes.elementCount(dims);
    }

    /** The values as floats (exact for float, float16, bfloat16 and small integers). */
    public float[] toFloatArray() {
        int n = Math.toIntExact(elementCount());
        ByteBuffer b = data();
        float[] out = new float[n];
        for (int k = 0; k < n; k++) {
            out[k] = switch (type) {
                case FLOAT -> b.getFloat(4 * k);
                case DOUBLE -> (float) b.getDouble(8 * k);
                case FLOAT16 -> HalfFloats.halfToFloat(b.getShort(2 * k));
                case BFLOAT16 -> Float.intBitsToFloat((b.getShort(2 * k) & 0xffff) << 16);
                default -> (float) longAt(b, k);
            };
        }
        return out;
    }

    /** The values as longs, for integer and bool tensors. */
    public long[] toLongArray() {
        if (type.isFloatingPoint()) {
            throw new IllegalStateException("tensor '" + name + "' holds " + type.onnxName() + ", not integers");
        }
        int n = Math.toIntExact(elementCount());
        ByteBuffer b = data();
        long[] out = new long[n];
        for (int k = 0; k < n; k++) {
            out[k] = longAt(b, k);
        }
        return out;
    }

    private long longAt(ByteBuffer b, int k) {
        return switch (type) {
            case INT64, UINT64 -> b.getLong(8 * k);
            case INT32 -> b.getInt(4 * k);
            case UINT32 -> b.getInt(4 * k) & 0xffffffffL;
            case INT16 -> b.getShort(2 * k);
            case UINT16 -> b.getShort(2 * k) & 0xffff;
            case INT8 -> b.get(k);
            case UINT8, BOOL -> b.get(k) & 0xff;
            default -> throw new IllegalStateException("tensor '" + name + "' of type " + type.onnxName()
                    + " has no integer values");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && type == t.type && Arrays.equals(dims, t.dims)
                && data().equals(t.data());
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + ", " + type.onnxName() + Arrays.toString(dims) + "]";
    }
}
