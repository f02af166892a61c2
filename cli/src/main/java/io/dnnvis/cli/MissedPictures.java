package io.dnnvis.cli;

import io.dnnvis.methods.audit.AuditPictures;
import io.dnnvis.methods.audit.AuditResult;
import io.dnnvis.methods.audit.ImageFolder;
import io.dnnvis.methods.audit.TopImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The top rows an audit draws no pictures for, and why: their image cannot be read any more, or was
 * modified while the audit ran. Each image is told once on stderr, with its count of rows; the report
 * marks their pictures missing. Thread-safe (the pictures are drawn on several threads).
 */
final class MissedPictures implements AuditPictures.Missed {

    private final Map<String, String> reasons = new TreeMap<>();
    private final Map<String, Integer> rows = new TreeMap<>();

    @Override
    public synchronized void rows(List<TopImage> of, String reason) {
        String image = of.get(0).image();
        reasons.putIfAbsent(image, reason);
        rows.merge(image, of.size(), Integer::sum);
    }

    synchronized void warn(PrintWriter err, ImageFolder folder) {
        reasons.forEach((image, reason) -> err.println("warning: " + folder.resolve(image) + ": no pictures for "
                + "its " + rows.get(image) + " top rows (" + reason + ")"));
        err.flush();
    }

    /**
     * {@code result} without the top rows of images modified since {@code start} (rewritten while the
     * audit ran: their pictures would not show what was audited), those told to {@code missed}. Files
     * read before a checkpoint that changed before the resume are refused by the resume itself.
     */
    static AuditResult unmodifiedSince(Instant start, AuditResult result, ImageFolder folder,
            AuditPictures.Missed missed) {
        Map<String, List<TopImage>> byImage = new TreeMap<>();
        result.top().forEach(r -> byImage.computeIfAbsent(r.image(), k -> new ArrayList<>()).add(r));
        Set<String> modified = new HashSet<>();
        byImage.forEach((image, rowsOf) -> {
            try {
                Instant at = Files.getLastModifiedTime(folder.resolve(image)).toInstant();
                if (at.isAfter(start)) {
                    modified.add(image);
                    missed.rows(rowsOf, "modified at " + at + ", while the audit ran: its pictures would not show "
                            + "what was audited");
                }
            } catch (IOException e) {
                // gone: the pictures' own reading says so
            }
        });
        if (modified.isEmpty()) {
            return result;
        }
        return new AuditResult(result.layers(), result.top().stream().filter(r -> !modified.contains(r.image()))
                .toList(), result.predictions(), result.skipped(), result.images());
    }
}
