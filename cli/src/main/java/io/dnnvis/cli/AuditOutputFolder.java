package io.dnnvis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An audit's output folder as a run finds it: which of an audit's files it holds, whether the audit
 * there can be resumed, is complete, or is only part of one; and the checks that keep a run from
 * writing where it should not (the folder of images itself).
 */
final class AuditOutputFolder {

    static final String CHECKPOINT = ".checkpoint";

    /** What an audit writes into OUT: any of them there means OUT holds (part of) an audit. */
    static final List<String> RESULTS = List.of("topk.csv", "predictions.csv", "skipped.csv", "audit.json",
            "patches", "recon", "index.html", "classes.html", CHECKPOINT);

    private AuditOutputFolder() {
    }

    /** The first of an audit's files that {@code dir} holds (a layer page {@code layer-*.html} too), if any. */
    static Optional<String> held(Path dir) {
        Optional<String> named = RESULTS.stream().filter(n -> Files.exists(dir.resolve(n), LinkOption.NOFOLLOW_LINKS))
                .findFirst();
        if (named.isPresent() || !Files.isDirectory(dir)) {
            return named;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("layer-") && n.endsWith(".html")).sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty(); // unreadable: writing there fails, naming it
        }
    }

    /** What OUT holds: nothing of an audit, an audit to resume (its checkpoint), a complete audit, or part of one. */
    enum State {
        EMPTY, RESUMABLE, COMPLETE, PARTIAL;

        static State of(Path dir) {
            if (Files.exists(dir.resolve(CHECKPOINT), LinkOption.NOFOLLOW_LINKS)) {
                return RESUMABLE;
            }
            if (held(dir).isEmpty()) {
                return EMPTY;
            }
            boolean complete = Files.isRegularFile(dir.resolve("audit.json"), LinkOption.NOFOLLOW_LINKS)
                    && Files.isRegularFile(dir.resolve("index.html"), LinkOption.NOFOLLOW_LINKS);
            return complete ? COMPLETE : PARTIAL;
        }

        /** Refuses what cannot go on in OUT: any audit without --resume, part of one without a checkpoint. */
        void refuse(Path dir, boolean resume) {
            if (this == EMPTY) {
                return;
            }
            if (!resume) {
                throw new UserException(dir + ": holds an audit already (" + held(dir).orElse(CHECKPOINT)
                        + "); give --resume to continue it, or another -o");
            }
            if (this == PARTIAL) {
                throw new UserException(dir + ": holds part of an audit, or other files of that name, but no "
                        + "checkpoint to resume from; give another -o");
            }
        }
    }

    /** Refuses an output folder that is the folder of images itself (the audit would skip every image in it). */
    static void refuseImagesFolder(Path images, Path out) {
        Path a = images.toAbsolutePath().normalize();
        Path b = out.toAbsolutePath().normalize();
        boolean same = a.equals(b);
        try {
            same = same || Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            // cannot tell: the scan reports an unreadable folder
        }
        if (same) {
            throw new UserException(out + ": is the folder of images; give the audit's results another -o");
        }
    }

    /** Removes {@code dir} and what it holds, following no symbolic link; nothing when it does not exist. */
    static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UserException(dir + ": cannot remove the reconstructions of an earlier try (" + e.getMessage()
                    + ")");
        }
    }
}
