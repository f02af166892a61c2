package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.trace.TensorValue;
import java.util.Arrays;

/**
 * Writes occluded copies of one input {@code [1, C, H, W]} (or {@code [1, H, W, C]}, as its
 * {@link InputLayout} says) into a batch buffer: windows cover rows and columns, every channel.
 */
final class Occluder {

    private final float[] original;
    private final float[] fill;
    private final InputLayout layout;
    private final int channels;
    private final int height;
    private final int width;
    private final long[] shape;

    /** An occluder of an NCHW input. */
    Occluder(TensorValue input, Fill fill) {
        this(input, fill, InputLayout.NCHW);
    }

    Occluder(TensorValue input, Fill fill, InputLayout layout) {
        long[] shape = input.shape();
        this.original = input.data();
        this.fill = fill.perChannel(input, layout);
        this.layout = layout;
        this.channels = layout.channels(shape);
        this.height = layout.height(shape);
        this.width = layout.width(shape);
        this.shape = shape.clone();
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

    /** The input's shape, {@code [1, C, H, W]} or {@code [1, H, W, C]}. */
    long[] shape() {
        return shape.clone();
    }

    InputLayout layout() {
        return layout;
    }

    /**
     * Writes box {@code box} of the input with {@code window} painted over (a patch of incremental
     * occlusion) into {@code patch} from {@code offset}, laid out as the box.
     */
    void paintPatch(float[] patch, int offset, PatchBox box, WindowGrid.Window window) {
        PatchBox.copyOverlap(original, PatchBox.whole(shape), 0, patch, box, offset);
        int h = window.bottom() - window.top();
        int w = window.right() - window.left();
        if (h <= 0 || w <= 0) {
            return;
        }
        PatchBox painted = PatchBox.of(shape, layout.heightAxis(), layout.widthAxis(), window.top(), window.left(), h, w);
        float[] paint = new float[painted.count()];
        int run = layout == InputLayout.NHWC ? 1 : h * w;
        for (int k = 0; k < paint.length; k++) {
            paint[k] = fill[layout == InputLayout.NHWC ? k % channels : k / run];
        }
        PatchBox.copyOverlap(paint, painted, 0, patch, box, offset);
    }

    /** Writes the input with {@code window} painted over (all channels) into image {@code slot} of {@code batch}. */
    void paint(float[] batch, int slot, WindowGrid.Window window) {
        int base = slot * original.length;
        System.arraycopy(original, 0, batch, base, original.length);
        if (layout == InputLayout.NHWC) {
            for (int y = window.top(); y < window.bottom(); y++) {
                for (int x = window.left(); x < window.right(); x++) {
                    System.arraycopy(fill, 0, batch, base + (y * width + x) * channels, channels);
                }
            }
            return;
        }
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            float v = fill[c];
            for (int y = window.top(); y < window.bottom(); y++) {
                int row = base + c * plane + y * width;
                Arrays.fill(batch, row + window.left(), row + window.right(), v);
            }
        }
    }
}
