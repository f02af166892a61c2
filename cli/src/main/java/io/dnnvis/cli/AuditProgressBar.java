package io.dnnvis.cli;

import io.dnnvis.methods.audit.Audit;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The audit's one-line progress bar on stderr: files done / total, images per second and the time
 * left, redrawn at most ten times a second, ended with a newline when the last file is read. Only for
 * terminals.
 */
final class AuditProgressBar implements Audit.Progress {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final long start = System.nanoTime();
    private int first = -1;
    private long lastDraw;
    private boolean finished;

    AuditProgressBar(PrintWriter err) {
        this.err = err;
    }

    /** The bar when stderr belongs to an interactive terminal and not {@code quiet}, else silence. */
    static Audit.Progress forTerminal(PrintWriter err, boolean quiet) {
        return quiet || System.console() == null ? Audit.Progress.NONE : new AuditProgressBar(err);
    }

    @Override
    public synchronized void imagesDone(int done, int total) {
        if (first < 0) {
            first = done; // a resumed run counts its rate from where it starts
        }
        long now = System.nanoTime();
        boolean complete = done >= total;
        if (finished || (!complete && now - lastDraw < REDRAW_NANOS)) {
            return;
        }
        lastDraw = now;
        err.print("\r" + line(done - first, done, total, now - start));
        if (complete) {
            err.println();
            finished = true;
        }
        err.flush();
    }

    /** The bar's text with {@code done} of {@code total} files, {@code ran} of them in {@code elapsedNanos}. */
    static String line(int ran, int done, int total, long elapsedNanos) {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? ran / seconds : 0;
        String eta = rate <= 0 ? "--:--" : clock((total - done) / rate);
        return String.format(Locale.ROOT, "audit [%s%s] %d/%d images, %.1f/s, ETA %s ", "#".repeat(filled),
                "-".repeat(WIDTH - filled), done, total, rate, eta);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
