package io.dnnvis.methods.core;

/** A position in a layer's map: row {@code y}, column {@code x}. */
public record GridPoint(int y, int x) {

    @Override
    public String toString() {
        return y + "," + x;
    }
}
