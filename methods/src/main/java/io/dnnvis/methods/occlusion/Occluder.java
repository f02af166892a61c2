package io.dnnvis.methods.occlusion;

import io.dnnvis.trace.TensorValue;

/** Writes occluded copies of one input {@code [1, C, H, W]} into a batch buffer. */
final class Occluder {

    private final float[] original;
    private final float[] fill;
    private final int channels;
    private final int height;
    private final int width;

    Occluder(TensorValue input, Fill fill) {
        long[] shape = input.shape();
        this.original = input.data();
        this.fill = fill.perChannel(input);
        this.channels = (int) shape[1];
        this.height = (int) shape[2];
        this.width = (int) shape[3];
    }

    /** Values per image. */
    int imageSize() {
        return original.length;
    }

    int height() {
        return height;
    }

    int width() {
        return width;
    }

    /** The unoccluded input. */
    float[] original() {
        return original.clone();
    }

    /** Writes the input with {@code window} painted over (all channels) into image {@code slot} of {@code batch}. */
    void paint(float[] batch, int slot, WindowGrid.Window window) {
        int base = slot * original.length;
        System.arraycopy(original, 0, batch, base, original.length);
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            float v = fill[c];
            for (int y = window.top(); y < window.bottom(); y++) {
                int row = base + c * plane + y * width;
                java.util.Arrays.fill(batch, row + window.left(), row + window.right(), v);
            }
        }
    }
}
