package io.dnnvis.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters of whole-number options with bounds, the one place that checks them: a value out of
 * bounds is refused while parsing, as {@code --window: must be odd and positive, got 4}.
 */
final class Bounded {

    private Bounded() {
    }

    /** 1 or more: strides, batches, counts. */
    static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int v = integer(text);
            if (v <= 0) {
                throw new TypeConversionException("must be positive, got " + v);
            }
            return v;
        }
    }

    /** 0 or more: thread counts, warm-up runs, "0 = automatic" sizes. */
    static final class NotNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int v = integer(text);
            if (v < 0) {
                throw new TypeConversionException("must not be negative, got " + v);
            }
            return v;
        }
    }

    /** 0 (one per processor) to {@link #MAX_THREADS}: a thread count ONNX Runtime can start. */
    static final class Threads implements ITypeConverter<Integer> {
        static final int MAX_THREADS = 1024;

        @Override
        public Integer convert(String text) {
            int v = integer(text);
            if (v < 0 || v > MAX_THREADS) {
                throw new TypeConversionException("must be 0 to " + MAX_THREADS + ", got " + v);
            }
            return v;
        }
    }

    /** Odd and positive: an occlusion window, which has a centre pixel. */
    static final class OddPositive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int v = integer(text);
            if (v <= 0 || v % 2 == 0) {
                throw new TypeConversionException("must be odd and positive, got " + v);
            }
            return v;
        }
    }

    /** 1 or more, as a long: byte limits. */
    static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            long v;
            try {
                v = Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + text + "' is not an integer");
            }
            if (v <= 0) {
                throw new TypeConversionException("must be positive, got " + v);
            }
            return v;
        }
    }

    private static int integer(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not an integer");
        }
    }
}
