package io.dnnvis.methods.attribution;

import io.dnnvis.methods.render.Bilinear;
import io.dnnvis.trace.TensorValue;

/**
 * A class activation map of one image at layer resolution, and the target's score.
 *
 * @param map the map, {@code [h * w]} row-major
 */
record CamMap(float[] map, int height, int width, double score) {

    CamMap {
        map = map.clone();
    }

    /** The raw map, {@code [1, h, w]}. */
    TensorValue atLayer() {
        return TensorValue.owning("cam", new long[] {1, height, width}, map.clone());
    }

    /**
     * The map at the input's resolution, {@code [1, H, W]}: minus its minimum, divided by 1e-7 plus
     * its (new) maximum, then resized bilinearly with half-pixel centres (no antialiasing).
     */
    TensorValue atInput(int inputHeight, int inputWidth) {
        float min = Float.POSITIVE_INFINITY;
        for (float v : map) {
            min = Math.min(min, v);
        }
        float[] shifted = new float[map.length];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < map.length; i++) {
            shifted[i] = map[i] - min;
            max = Math.max(max, shifted[i]);
        }
        float scale = 1e-7f + max;
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] /= scale;
        }
        float[] resized = Bilinear.resize(shifted, height, width, inputHeight, inputWidth);
        return TensorValue.owning("cam", new long[] {1, inputHeight, inputWidth}, resized);
    }
}
