package io.dnnvis.trace.backward;

import java.util.List;
import java.util.Optional;

/**
 * Start-signal selections that are each non-zero in one channel only, as what a graph that starts
 * from one channel takes: the channel of each, and its values.
 *
 * @param channels the channel of each selection (0 for an all-zero one)
 * @param values the selected channel of each selection, {@code [B, N, 1, ...]} row-major
 */
record OneChannelSelections(long[] channels, float[] values) {

    /**
     * The selections as one channel each, or empty when one of them spans several channels.
     *
     * @param targetShape {@code [N, C, ...]}
     */
    static Optional<OneChannelSelections> of(List<float[]> selections, long[] targetShape) {
        if (targetShape.length < 2) {
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
        return Optional.of(new OneChannelSelections(channels, values));
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
