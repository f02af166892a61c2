package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.trace.TensorValue;
import java.util.Locale;

/**
 * What the occluder paints over a window (every channel of it).
 *
 * @param kind which value
 * @param value the constant of {@link Kind#CONSTANT} (0 for the other kinds)
 */
public record Fill(Kind kind, float value) {

    /** The kinds of fill. */
    public enum Kind {
        /** The mean of the input over all its elements (the default). */
        MEAN,
        /** Zero. */
        ZERO,
        /** Each channel's own mean. */
        CHANNEL_MEAN,
        /** A given number. */
        CONSTANT
    }

    public Fill {
        if (kind == null) {
            throw new IllegalArgumentException("a fill needs a kind");
        }
        if (kind != Kind.CONSTANT) {
            value = 0;
        } else if (!Float.isFinite(value)) {
            throw new BadRequestException("fill value must be a finite number, got " + value);
        }
    }

    public static Fill mean() {
        return new Fill(Kind.MEAN, 0);
    }

    public static Fill zero() {
        return new Fill(Kind.ZERO, 0);
    }

    public static Fill channelMean() {
        return new Fill(Kind.CHANNEL_MEAN, 0);
    }

    public static Fill constant(float v) {
        return new Fill(Kind.CONSTANT, v);
    }

    /** Parses {@code mean}, {@code zero}, {@code channel-mean} or a number. */
    public static Fill parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "mean":
                return mean();
            case "zero":
                return zero();
            case "channel-mean":
                return channelMean();
            default:
                try {
                    return constant(Float.parseFloat(t));
                } catch (NumberFormatException e) {
                    throw new BadRequestException("unknown fill '" + text + "' (mean, zero, channel-mean or a number)");
                }
        }
    }

    /** The fill value of each channel of an input {@code [1, C, H, W]}. */
    public float[] perChannel(TensorValue input) {
        return perChannel(input, InputLayout.NCHW);
    }

    /** The fill value of each channel of an input {@code [1, C, H, W]} or {@code [1, H, W, C]}, as {@code layout} says. */
    public float[] perChannel(TensorValue input, InputLayout layout) {
        long[] shape = input.shape();
        int channels = layout.channels(shape);
        float[] data = layout.toNchw(input.data(), shape);
        int plane = data.length / channels;
        float[] out = new float[channels];
        switch (kind) {
            case MEAN -> java.util.Arrays.fill(out, (float) mean(data, 0, data.length));
            case CHANNEL_MEAN -> {
                for (int c = 0; c < channels; c++) {
                    out[c] = (float) mean(data, c * plane, plane);
                }
            }
            case CONSTANT -> java.util.Arrays.fill(out, value);
            case ZERO -> { }
        }
        return out;
    }

    private static double mean(float[] data, int from, int count) {
        double sum = 0;
        for (int k = from; k < from + count; k++) {
            sum += data[k];
        }
        return count == 0 ? 0 : sum / count;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case MEAN -> "mean";
            case ZERO -> "zero";
            case CHANNEL_MEAN -> "channel-mean";
            case CONSTANT -> Float.toString(value);
        };
    }
}
