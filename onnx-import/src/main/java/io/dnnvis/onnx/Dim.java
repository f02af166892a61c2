package io.dnnvis.onnx;

/**
 * One dimension of a declared tensor shape: a fixed size ({@code value >= 0}), a named symbolic
 * size ({@code param}, e.g. {@code "N"}), or unknown (neither).
 */
public record Dim(long value, String param) {

    public static Dim fixed(long value) {
        return new Dim(value, "");
    }

    public static Dim symbolic(String param) {
        return new Dim(-1, param == null ? "" : param);
    }

    public boolean isFixed() {
        return value >= 0;
    }

    @Override
    public String toString() {
        return isFixed() ? Long.toString(value) : (param.isEmpty() ? "?" : param);
    }
}
