package io.dnnvis.cli;

import io.dnnvis.methods.audit.Audit;
import io.dnnvis.methods.audit.AuditPictures;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The audit's one-line progress bars on stderr: files done / total, images per second and the time
 * left, redrawn at most ten times a second, ended with a newline when the last file is read; then the
 * same for the pictures, rows done / total. Only for terminals.
 */
final class AuditProgressBar implements Audit.Progress {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String stage;
    private final String unit;
    private final long start = System.nanoTime();
    private int first = -1;
    private long lastDraw;
    private boolean finished;

    AuditProgressBar(PrintWriter err, String stage, String unit) {
        this.err = err;
        this.stage = stage;
        this.unit = unit;
    }

    /** The images' bar when stderr belongs to an interactive terminal and not {@code quiet}, else silence. */
    static Audit.Progress forTerminal(PrintWriter err, boolean quiet) {
        return quiet || System.console() == null ? Audit.Progress.NONE : new AuditProgressBar(err, "audit", "images");
    }

    /** The pictures' bar (rows of the top table drawn) on a terminal and not {@code quiet}, else silence. */
    static AuditPictures.Progress forPictures(PrintWriter err, boolean quiet) {
        if (quiet || System.console() == null) {
            return AuditPictures.Progress.NONE;
        }
        AuditProgressBar bar = new AuditProgressBar(err, "pictures", "rows");
        return bar::imagesDone;
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
        err.print("\r" + line(stage, unit, done - first, done, total, now - start));
        if (complete) {
            err.println();
            finished = true;
        }
        err.flush();
    }

    /** The bar's text with {@code done} of {@code total} {@code unit}, {@code ran} of them in {@code elapsedNanos}. */
    static String line(String stage, String unit, int ran, int done, int total, long elapsedNanos) {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? ran / seconds : 0;
        String eta = rate <= 0 ? "--:--" : clock((total - done) / rate);
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %s, %.1f/s, ETA %s ", stage, "#".repeat(filled),
                "-".repeat(WIDTH - filled), done, total, unit, rate, eta);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
