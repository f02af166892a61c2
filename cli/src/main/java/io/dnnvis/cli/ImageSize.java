package io.dnnvis.cli;

import java.util.Locale;
import picocli.CommandLine.TypeConversionException;

/** {@code --input-size HxW}: the input size for a model whose size is dynamic. */
record ImageSize(int height, int width) {

    static ImageSize parse(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).split("x", -1);
        if (parts.length == 2) {
            try {
                return new ImageSize(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
            } catch (NumberFormatException e) {
                // the message below
            }
        }
        throw new TypeConversionException("'" + text + "' is not a size like 224x224");
    }

    /** {@code {height, width}}. */
    int[] toArray() {
        return new int[] {height, width};
    }
}
