package io.dnnvis.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code N,C,H,W} (any rank, positive integers) into a shape. */
final class ShapeConverter implements ITypeConverter<ShapeConverter.Shape> {

    /** A parsed shape (picocli would split a bare {@code long[]} option into several values). */
    record Shape(long[] dims) {
    }


    @Override
    public Shape convert(String value) {
        String[] parts = value.split(",", -1);
        long[] shape = new long[parts.length];
        for (int k = 0; k < parts.length; k++) {
            try {
                shape[k] = Long.parseLong(parts[k].strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a shape like 1,3,224,224");
            }
            if (shape[k] <= 0 || shape[k] > 1_000_000) {
                throw new TypeConversionException("'" + value + "': dimensions must be between 1 and 1000000");
            }
        }
        return new Shape(shape);
    }
}
