package io.dnnvis.cli;

import io.dnnvis.methods.occlusion.OcclusionProgress;
import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr: windows done / total and the time left, redrawn at most ten
 * times a second, ended with a newline when the work is done. Only for terminals.
 */
final class ProgressBar implements OcclusionProgress {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String label;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean finished;

    ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    /** The bar when stderr belongs to an interactive terminal and not {@code quiet}, else silence. */
    static OcclusionProgress forTerminal(PrintWriter err, String label, boolean quiet) {
        return quiet || System.console() == null ? OcclusionProgress.NONE : new ProgressBar(err, label);
    }

    @Override
    public synchronized void windowsDone(int done, int total) {
        long now = System.nanoTime();
        boolean complete = done >= total;
        if (finished || (!complete && now - lastDraw < REDRAW_NANOS)) {
            return;
        }
        lastDraw = now;
        err.print("\r" + line(done, total, now - start));
        if (complete) {
            err.println();
            finished = true;
        }
        err.flush();
    }

    /** The bar's text after {@code elapsedNanos} with {@code done} of {@code total} windows. */
    String line(int done, int total, long elapsedNanos) {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        String eta = done == 0 ? "--:--" : clock((elapsedNanos / 1e9) * (total - done) / done);
        return String.format("%s [%s%s] %d/%d windows, ETA %s ", label, "#".repeat(filled), "-".repeat(WIDTH - filled),
                done, total, eta);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
