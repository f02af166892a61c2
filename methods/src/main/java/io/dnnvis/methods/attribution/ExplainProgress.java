package io.dnnvis.methods.attribution;

/**
 * Told after every backward run of the methods that take many gradients per image (Integrated
 * Gradients' path points, SmoothGrad's noisy samples) how many of the request's gradients are done.
 */
@FunctionalInterface
public interface ExplainProgress {

    /** A listener that ignores everything. */
    ExplainProgress NONE = (done, total) -> { };

    /**
     * @param done gradients computed so far, over all the request's images
     * @param total gradients of the whole request
     */
    void gradientsDone(long done, long total);
}
