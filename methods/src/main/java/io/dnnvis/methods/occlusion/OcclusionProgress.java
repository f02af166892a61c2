package io.dnnvis.methods.occlusion;

/** Told after every batch of occluded images how many windows are done. */
@FunctionalInterface
public interface OcclusionProgress {

    /** A listener that ignores everything. */
    OcclusionProgress NONE = (done, total) -> { };

    /**
     * @param done windows evaluated so far
     * @param total windows of the whole run
     */
    void windowsDone(int done, int total);
}
