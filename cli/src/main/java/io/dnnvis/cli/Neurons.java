package io.dnnvis.cli;

import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --neuron}: which channels of the layer to reconstruct. */
sealed interface Neurons {

    /** Every channel of the layer ({@code all}). */
    record All() implements Neurons {
    }

    /** The {@code count} channels with the strongest activation for the input ({@code top:K}). */
    record Strongest(int count) implements Neurons {
    }

    /** These channels, in this order ({@code N[,N...]}). */
    record Listed(int[] channels) implements Neurons {

        public Listed {
            channels = channels.clone();
        }

        @Override
        public int[] channels() {
            return channels.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Listed l && Arrays.equals(channels, l.channels);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(channels);
        }

        @Override
        public String toString() {
            return "Listed" + Arrays.toString(channels);
        }
    }

    /** Reads {@code all}, {@code top:K} (K > 0) or {@code N[,N...]}, any case, spaces around numbers allowed. */
    static Neurons parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("all")) {
            return new All();
        }
        if (t.startsWith("top:")) {
            int k = integer(t.substring("top:".length()), "'" + text + "' is not top:K");
            if (k <= 0) {
                throw new TypeConversionException("top:K needs K > 0, got '" + text + "'");
            }
            return new Strongest(k);
        }
        String[] parts = t.split(",", -1);
        int[] channels = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            channels[k] = integer(parts[k], "'" + text + "' is not a list of channel numbers, all or top:K");
        }
        return new Listed(channels);
    }

    private static int integer(String text, String message) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException(message);
        }
    }

    /** {@code bench --neuron}: channel numbers or {@code all}, not {@code top:K}. */
    final class ListedOrAll implements ITypeConverter<Neurons> {

        @Override
        public Neurons convert(String text) {
            try {
                Neurons n = parse(text);
                if (!(n instanceof Strongest)) {
                    return n;
                }
            } catch (TypeConversionException e) {
                // the message below
            }
            throw new TypeConversionException("'" + text + "' is not a list of channel numbers or all");
        }
    }
}
