package io.dnnvis.cli;

import java.util.Arrays;
import java.util.List;
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

    /**
     * Classes of the model output named by number or label ({@code R}, {@code 3,R}): resolved against the
     * model's {@code labels} metadata where the layer is the output ({@link ClassNeurons}).
     */
    record Labelled(List<String> keys) implements Neurons {

        public Labelled {
            keys = List.copyOf(keys);
        }
    }

    /**
     * Reads {@code all}, {@code top:K} (K > 0), {@code N[,N...]} or a list with class labels, any case,
     * spaces around numbers allowed.
     */
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
        String[] parts = text.split(",", -1);
        int[] channels = new int[parts.length];
        boolean labelled = false;
        for (int k = 0; k < parts.length; k++) {
            String part = parts[k].strip().toLowerCase(Locale.ROOT);
            if (part.isEmpty() || part.equals("all") || part.startsWith("top:")) {
                throw new TypeConversionException("'" + text + "' is not a list of channel numbers or class labels, all"
                        + " or top:K");
            }
            try {
                channels[k] = Integer.parseInt(parts[k].strip());
            } catch (NumberFormatException e) {
                labelled = true;
            }
        }
        return labelled ? new Labelled(Arrays.stream(parts).map(String::strip).toList()) : new Listed(channels);
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
                if (n instanceof All || n instanceof Listed) {
                    return n;
                }
            } catch (TypeConversionException e) {
                // the message below
            }
            throw new TypeConversionException("'" + text + "' is not a list of channel numbers or all");
        }
    }
}
