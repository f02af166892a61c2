package io.dnnvis.cli;

import java.util.Arrays;
import picocli.CommandLine.TypeConversionException;

/** {@code --input-shape N,C,H,W}: an input shape, any rank, each dimension 1 to 1000000. */
record InputShape(long[] dims) {

    private static final long MAX_DIM = 1_000_000;

    InputShape {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputShape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }

    static InputShape parse(String text) {
        String[] parts = text.split(",", -1);
        long[] dims = new long[parts.length];
        for (int k = 0; k < parts.length; k++) {
            try {
                dims[k] = Long.parseLong(parts[k].strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + text + "' is not a shape like 1,3,224,224");
            }
            if (dims[k] <= 0 || dims[k] > MAX_DIM) {
                throw new TypeConversionException("'" + text + "': dimensions must be between 1 and " + MAX_DIM);
            }
        }
        return new InputShape(dims);
    }
}
