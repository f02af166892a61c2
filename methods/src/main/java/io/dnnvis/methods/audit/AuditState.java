package io.dnnvis.methods.audit;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.trace.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The running state of an audit, all a checkpoint holds: how far through the folder's files it is,
 * the top tables, the predictions and the files skipped so far. A checkpoint is written atomically
 * and names the settings it belongs to ({@code fingerprint}), so a resumed run with other settings,
 * or on a folder whose files changed, is refused. Not thread-safe.
 */
final class AuditState {

    private static final String MAGIC = "dnnvis-audit-checkpoint-2";

    final String fingerprint;
    /** Index in the folder's files of the next file to read. */
    int nextFile;
    /** The path of the last file read (checked on resume), empty at the start. */
    String lastFile = "";
    /** {@link FileStamps} of the files read so far, in order (checked on resume). */
    long stamps = FileStamps.EMPTY;
    int images;
    final List<UnitTops> tops;
    final List<Prediction> predictions = new ArrayList<>();
    final List<SkippedFile> skipped = new ArrayList<>();

    AuditState(String fingerprint, List<UnitTops> tops) {
        this.fingerprint = fingerprint;
        this.tops = tops;
    }

    void save(Path file) throws IOException {
        AtomicFiles.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw));
            out.writeUTF(MAGIC);
            out.writeUTF(fingerprint);
            out.writeInt(nextFile);
            out.writeUTF(lastFile);
            out.writeLong(stamps);
            out.writeInt(images);
            out.writeInt(predictions.size());
            for (Prediction p : predictions) {
                out.writeUTF(p.image());
                out.writeInt(p.predicted());
                out.writeUTF(p.label());
                out.writeInt(Float.floatToRawIntBits(p.score()));
                out.writeUTF(p.trueLabel());
            }
            out.writeInt(skipped.size());
            for (SkippedFile s : skipped) {
                out.writeUTF(s.file());
                out.writeUTF(s.reason());
            }
            out.writeInt(tops.size());
            for (UnitTops t : tops) {
                t.write(out);
            }
            out.flush();
        });
    }

    /**
     * The state saved in {@code file}.
     *
     * @throws BadRequestException when it was saved with other settings ({@code fingerprint}) or is damaged
     */
    static AuditState load(Path file, String fingerprint) {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            if (!MAGIC.equals(in.readUTF())) {
                throw new BadRequestException(file + ": not an audit checkpoint");
            }
            String saved = in.readUTF();
            if (!saved.equals(fingerprint)) {
                throw new BadRequestException(file + ": the checkpoint was made with other settings ("
                        + differences(saved, fingerprint) + "); resume with the same ones, or start again in "
                        + "another folder");
            }
            int nextFile = in.readInt();
            String lastFile = in.readUTF();
            long stamps = in.readLong();
            int images = in.readInt();
            List<Prediction> predictions = new ArrayList<>();
            for (int n = in.readInt(); n > 0; n--) {
                predictions.add(new Prediction(in.readUTF(), in.readInt(), in.readUTF(),
                        Float.intBitsToFloat(in.readInt()), in.readUTF()));
            }
            List<SkippedFile> skipped = new ArrayList<>();
            for (int n = in.readInt(); n > 0; n--) {
                skipped.add(new SkippedFile(in.readUTF(), in.readUTF()));
            }
            List<UnitTops> tops = new ArrayList<>();
            for (int n = in.readInt(); n > 0; n--) {
                tops.add(UnitTops.read(in));
            }
            AuditState s = new AuditState(saved, tops);
            s.nextFile = nextFile;
            s.lastFile = lastFile;
            s.stamps = stamps;
            s.images = images;
            s.predictions.addAll(predictions);
            s.skipped.addAll(skipped);
            return s;
        } catch (BadRequestException e) {
            throw e;
        } catch (RuntimeException e) { // sizes or names no checkpoint this class wrote has
            throw new BadRequestException(file + ": the checkpoint cannot be read (it is damaged)");
        } catch (IOException e) {
            String why = e instanceof java.io.EOFException ? "it is truncated"
                    : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new BadRequestException(file + ": the checkpoint cannot be read (" + why + ")");
        }
    }

    /**
     * What differs between two fingerprints made of {@code name=value} lines: {@code "top: 5 in the
     * checkpoint, 9 now"} for each, or both whole where they are not of that form.
     */
    static String differences(String saved, String now) {
        java.util.Map<String, String> before = pairs(saved);
        java.util.Map<String, String> after = pairs(now);
        if (before == null || after == null) {
            return saved;
        }
        List<String> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.LinkedHashSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
            String was = before.getOrDefault(name, "(none)");
            String is = after.getOrDefault(name, "(none)");
            if (!was.equals(is)) {
                out.add(name + ": " + (was.isEmpty() ? "(none)" : was) + " in the checkpoint, "
                        + (is.isEmpty() ? "(none)" : is) + " now");
            }
        }
        return out.isEmpty() ? saved : String.join("; ", out);
    }

    private static java.util.Map<String, String> pairs(String fingerprint) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String line : fingerprint.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                return null;
            }
            out.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return out;
    }
}
