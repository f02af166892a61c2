package io.dnnvis.methods.occlusion;

import io.dnnvis.trace.TruncatedForward;
import java.util.concurrent.CancellationException;

/** Runs every window's occluded image through one truncated forward pass, {@code batch} images per run. */
final class Sweep {

    /** Receives the target tensor of one occluded image: {@code outputs[offset ..]} of one image's size. */
    @FunctionalInterface
    interface Sink {
        void accept(int window, float[] outputs, int offset);
    }

    private Sweep() {
    }

    static void run(TruncatedForward forward, Occluder occluder, WindowGrid grid, int batch,
            OcclusionProgress progress, Sink sink) {
        int total = grid.count();
        int outputSize = Math.toIntExact(count(forward.outputShape()));
        float[] buffer = new float[Math.toIntExact((long) Math.min(batch, total) * occluder.imageSize())];
        progress.windowsDone(0, total);
        for (int done = 0; done < total; ) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("occlusion interrupted after " + done + " of " + total + " windows");
            }
            int n = Math.min(batch, total - done);
            float[] images = n * occluder.imageSize() == buffer.length ? buffer
                    : new float[n * occluder.imageSize()];
            for (int k = 0; k < n; k++) {
                occluder.paint(images, k, grid.window(done + k));
            }
            float[] outputs = forward.run(images, n);
            for (int k = 0; k < n; k++) {
                sink.accept(done + k, outputs, k * outputSize);
            }
            done += n;
            progress.windowsDone(done, total);
        }
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
