package io.dnnvis.cli;

import picocli.CommandLine.TypeConversionException;

/** {@code --yx Y,X}: a position (row, column) in a layer's map. */
record Position(int y, int x) {

    static Position parse(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length == 2) {
            try {
                return new Position(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
            } catch (NumberFormatException e) {
                // the message below
            }
        }
        throw new TypeConversionException("'" + text + "' is not a position Y,X");
    }
}
