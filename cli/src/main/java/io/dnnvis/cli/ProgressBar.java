package io.dnnvis.cli;

import io.dnnvis.methods.attribution.ExplainProgress;
import io.dnnvis.methods.audit.Audit;
import io.dnnvis.methods.audit.AuditPictures;
import io.dnnvis.methods.occlusion.OcclusionProgress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The commands' one-line progress bars on stderr: what is done of the total, the rate and the time
 * left, redrawn at most ten times a second, ended with a newline when the work is done. Only for
 * interactive terminals: every factory gives silence when stderr is not one, or under {@code quiet}.
 */
final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String stage;
    private final String unit;
    private final long start = System.nanoTime();
    /** What was done before this run (a resumed audit's first report), or -1 until that report comes. */
    private long before;
    private long lastDraw;
    private boolean finished;

    private ProgressBar(PrintWriter err, String stage, String unit, boolean firstReportIsTheStart) {
        this.err = err;
        this.stage = stage;
        this.unit = unit;
        this.before = firstReportIsTheStart ? -1 : 0;
    }

    private static boolean silent(boolean quiet) {
        return quiet || System.console() == null;
    }

    /** Occlusion's windows. */
    static OcclusionProgress occlusion(PrintWriter err, boolean quiet) {
        return silent(quiet) ? OcclusionProgress.NONE : new ProgressBar(err, "occlusion", "windows", false)::update;
    }

    /** Integrated Gradients' and SmoothGrad's gradients (points × images). */
    static ExplainProgress explain(PrintWriter err, String method, boolean quiet) {
        return silent(quiet) ? ExplainProgress.NONE : new ProgressBar(err, method, "gradients", false)::update;
    }

    /** The audit's files; its first report is where a resumed run starts, and the rate counts from there. */
    static Audit.Progress audit(PrintWriter err, boolean quiet) {
        return silent(quiet) ? Audit.Progress.NONE : new ProgressBar(err, "audit", "images", true)::update;
    }

    /** The audit's pictures (rows of the top table drawn). */
    static AuditPictures.Progress auditPictures(PrintWriter err, boolean quiet) {
        return silent(quiet) ? AuditPictures.Progress.NONE : new ProgressBar(err, "pictures", "rows", false)::update;
    }

    private synchronized void update(long done, long total) {
        if (before < 0) {
            before = done;
        }
        long now = System.nanoTime();
        boolean complete = done >= total;
        if (finished || (!complete && now - lastDraw < REDRAW_NANOS)) {
            return;
        }
        lastDraw = now;
        err.print("\r" + line(stage, unit, done - before, done, total, now - start));
        if (complete) {
            err.println();
            finished = true;
        }
        err.flush();
    }

    /** The bar's text with {@code done} of {@code total} {@code unit}, {@code ran} of them in {@code elapsedNanos}. */
    static String line(String stage, String unit, long ran, long done, long total, long elapsedNanos) {
        int filled = total == 0 ? WIDTH : (int) Math.min(WIDTH, WIDTH * (double) done / total);
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
