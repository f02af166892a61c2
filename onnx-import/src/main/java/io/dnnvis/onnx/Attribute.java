package io.dnnvis.onnx;

import java.util.Arrays;
import java.util.List;

/**
 * A node attribute with its declared type. Typed accessors check the type and say which node and
 * attribute are wrong, so op code never casts blindly.
 */
public record Attribute(String name, Kind kind, Object value) {

    /** The attribute types dnnvis accepts (nested graphs and sparse tensors are refused at load). */
    public enum Kind { FLOAT, INT, STRING, TENSOR, FLOATS, INTS, STRINGS }

    public float asFloat() {
        return (Float) expect(Kind.FLOAT);
    }

    public long asInt() {
        return (Long) expect(Kind.INT);
    }

    public String asString() {
        return (String) expect(Kind.STRING);
    }

    public Tensor asTensor() {
        return (Tensor) expect(Kind.TENSOR);
    }

    public float[] asFloats() {
        return ((float[]) expect(Kind.FLOATS)).clone();
    }

    public long[] asInts() {
        return ((long[]) expect(Kind.INTS)).clone();
    }

    @SuppressWarnings("unchecked")
    public List<String> asStrings() {
        return (List<String>) expect(Kind.STRINGS);
    }

    private Object expect(Kind wanted) {
        if (kind != wanted) {
            throw new IllegalStateException("attribute '" + name + "' is " + kind + ", not " + wanted);
        }
        return value;
    }

    @Override
    public String toString() {
        String v = switch (kind) {
            case FLOATS -> Arrays.toString((float[]) value);
            case INTS -> Arrays.toString((long[]) value);
            default -> String.valueOf(value);
        };
        return name + "=" + v;
    }
}
