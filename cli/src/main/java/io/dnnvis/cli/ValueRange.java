package io.dnnvis.cli;

import picocli.CommandLine.TypeConversionException;

/** {@code --range LO,HI}: the values a heat map's colormap spans. */
record ValueRange(double low, double high) {

    static ValueRange parse(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length == 2) {
            try {
                return new ValueRange(Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip()));
            } catch (NumberFormatException e) {
                // the message below
            }
        }
        throw new TypeConversionException("'" + text + "' is not a range LO,HI");
    }
}
