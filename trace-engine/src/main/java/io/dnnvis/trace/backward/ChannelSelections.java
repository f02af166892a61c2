package io.dnnvis.trace.backward;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Start-signal selections that are each one channel of the target, as every neuron the library
 * visualizes is: the channel of each, and its values over that channel's map. A graph that starts
 * from one channel takes them as they are; whole-target masks are made from them only for targets
 * that cannot start from one channel.
 *
 * <p>On a batch of N images a selection either has one channel in every image ({@code
 * channelsPerSelection} 1), or a channel of its own in each image ({@code channelsPerSelection} N:
 * a dataset audit's rows, each a different unit of a different image, in one run).
 *
 * @param channels the channel of each of the B selections, {@code [B]}; or of each selection in each
 *     image, {@code [B, N]} row-major
 * @param channelsPerSelection 1, or N where each image has its own channel
 * @param values the selected channel's values of each selection, {@code [B, N, 1, ...]} row-major
 *     (per selection, the target's shape with one channel)
 */
public record ChannelSelections(long[] channels, int channelsPerSelection, float[] values) {

    public ChannelSelections {
        if (channelsPerSelection < 1 || channels.length == 0 || channels.length % channelsPerSelection != 0
                || values.length % (channels.length / channelsPerSelection) != 0) {
            throw new IllegalArgumentException(channels.length + " channels, " + channelsPerSelection
                    + " per selection, cannot share " + values.length + " values");
        }
        channels = channels.clone();
        values = values.clone();
        for (long c : channels) {
            if (c < 0) {
                throw new IllegalArgumentException("negative channel " + c);
            }
        }
    }

    /** Selections of one channel each, the same in every image. */
    public ChannelSelections(long[] channels, float[] values) {
        this(channels, 1, values);
    }

    /**
     * Selections on a batch of {@code images} images, each of its own channel in each image:
     * {@code channels[b * images + n]} in image n.
     */
    public static ChannelSelections perImage(int images, long[] channels, float[] values) {
        return new ChannelSelections(channels, images, values);
    }

    /** The number of selections. */
    public int size() {
        return channels.length / channelsPerSelection;
    }

    /** The channel of selection {@code b} in image {@code n}. */
    public long channel(int b, int n) {
        return channelsPerSelection == 1 ? channels[b] : channels[b * channelsPerSelection + n];
    }

    @Override
    public long[] channels() {
        return channels.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelSelections other && Arrays.equals(channels, other.channels)
                && channelsPerSelection == other.channelsPerSelection && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(channels) + channelsPerSelection) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "ChannelSelections[channels=" + Arrays.toString(channels) + ", " + channelsPerSelection
                + " per selection, " + perSelection() + " values each]";
    }

    /** The values without a copy, for the engine. */
    float[] valuesView() {
        return values;
    }

    /** The channel of every selection in every image, {@code [from, to)} x {@code [images]} row-major. */
    long[] channelsOfImages(int from, int to, int images) {
        long[] out = new long[Math.multiplyExact(to - from, images)];
        for (int b = from; b < to; b++) {
            for (int n = 0; n < images; n++) {
                out[(b - from) * images + n] = channel(b, n);
            }
        }
        return out;
    }

    /** Values per selection. */
    int perSelection() {
        return values.length / size();
    }

    /**
     * Throws unless these selections fit a target of shape {@code [N, C, ...]}: every channel below
     * C, one value per position of a channel's map.
     */
    void check(long[] targetShape) {
        if (targetShape.length < 2) {
            throw new IllegalArgumentException("the target has shape " + Arrays.toString(targetShape)
                    + "; channel selections need a channel axis");
        }
        long per = Arrays.stream(targetShape, 2, targetShape.length).reduce(targetShape[0], Math::multiplyExact);
        if (perSelection() != per) {
            throw new IllegalArgumentException("each selection has " + perSelection() + " values, a channel of "
                    + Arrays.toString(targetShape) + " has " + per);
        }
        if (channelsPerSelection != 1 && channelsPerSelection != targetShape[0]) {
            throw new IllegalArgumentException(channelsPerSelection + " channels per selection for a target of "
                    + targetShape[0] + " images");
        }
        for (long c : channels) {
            if (c >= targetShape[1]) {
                throw new IllegalArgumentException("channel " + c + " of a target with " + targetShape[1]
                        + " channels");
            }
        }
    }

    /** Each selection as a mask of the whole target ({@code [N, C, ...]}, zero outside its channel). */
    List<float[]> masks(long[] targetShape) {
        int images = Math.toIntExact(targetShape[0]);
        int channelCount = Math.toIntExact(targetShape[1]);
        int plane = perSelection() / images;
        List<float[]> masks = new ArrayList<>();
        for (int b = 0; b < size(); b++) {
            float[] mask = new float[Math.multiplyExact(perSelection(), channelCount)];
            for (int n = 0; n < images; n++) {
                System.arraycopy(values, b * perSelection() + n * plane, mask,
                        (int) ((n * channelCount + channel(b, n)) * plane), plane);
            }
            masks.add(mask);
        }
        return masks;
    }

    /**
     * The selections as one channel each (an all-zero one as channel 0), or empty when one of them
     * spans several channels.
     *
     * @param targetShape {@code [N, C, ...]}
     */
    static Optional<ChannelSelections> of(List<float[]> selections, long[] targetShape) {
        if (targetShape.length < 2 || selections.isEmpty()) {
            return Optional.empty();
        }
        int images = Math.toIntExact(targetShape[0]);
        int channelCount = Math.toIntExact(targetShape[1]);
        int plane = 1;
        for (int k = 2; k < targetShape.length; k++) {
            plane = Math.multiplyExact(plane, Math.toIntExact(targetShape[k]));
        }
        int per = Math.multiplyExact(images, plane);
        long[] channels = new long[selections.size()];
        float[] values = new float[Math.multiplyExact(selections.size(), per)];
        for (int b = 0; b < selections.size(); b++) {
            float[] s = selections.get(b);
            if (s.length != per * channelCount) {
                return Optional.empty();
            }
            int channel = -1;
            for (int n = 0; n < images; n++) {
                for (int c = 0; c < channelCount; c++) {
                    int base = (n * channelCount + c) * plane;
                    if (channel != c && !allZero(s, base, plane)) {
                        if (channel >= 0) {
                            return Optional.empty();
                        }
                        channel = c;
                    }
                }
            }
            channels[b] = Math.max(channel, 0);
            for (int n = 0; n < images; n++) {
                System.arraycopy(s, (int) ((n * channelCount + channels[b]) * plane), values, b * per + n * plane,
                        plane);
            }
        }
        return Optional.of(new ChannelSelections(channels, values));
    }

    private static boolean allZero(float[] s, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (s[i] != 0f) {
                return false;
            }
        }
        return true;
    }
}
