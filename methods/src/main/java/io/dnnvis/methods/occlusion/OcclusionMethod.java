package io.dnnvis.methods.occlusion;

import io.dnnvis.trace.TensorValue;

/** One way of turning the watched values of occluded images into a result: layer or score occlusion. */
interface OcclusionMethod {

    /** The windows over an image of {@code height x width}. */
    WindowGrid grid(int height, int width);

    /**
     * Occludes every window of {@code grid} in turn, {@code batch} images per run of
     * {@code sweep}, and returns the result values.
     */
    TensorValue run(WindowSweep sweep, Occluder occluder, WindowGrid grid, int batch, OcclusionProgress progress);
}
