package io.dnnvis.methods.occlusion;

/** The watched tensor of every occluded image of a grid, computed in full or incrementally. */
interface WindowSweep {

    /** The watched tensor's values for the unoccluded image (batch 1). */
    float[] unoccluded();

    /** Gives {@code sink} the watched tensor of every window's occluded image, {@code batch} windows per run. */
    void run(WindowGrid grid, int batch, OcclusionProgress progress, Sweep.Sink sink);

    /** Which computation ran: {@code full} or a line about the incremental one. */
    String path();

    /** The full recompute: each occluded image through the forward graph cut at the watched tensor. */
    static WindowSweep full(io.dnnvis.trace.TruncatedForward forward, Occluder occluder) {
        return new WindowSweep() {
            @Override
            public float[] unoccluded() {
                return forward.run(occluder.original(), 1);
            }

            @Override
            public void run(WindowGrid grid, int batch, OcclusionProgress progress, Sweep.Sink sink) {
                Sweep.run(forward, occluder, grid, batch, progress, sink);
            }

            @Override
            public String path() {
                return "full";
            }
        };
    }
}
