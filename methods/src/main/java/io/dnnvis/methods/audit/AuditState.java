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

    private static final String MAGIC = "dnnvis-audit-checkpoint-1";

    final String fingerprint;
    /** Index in the folder's files of the next file to read. */
    int nextFile;
    /** The path of the last file read (checked on resume), empty at the start. */
    String lastFile = "";
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
                        + saved + "); resume with the same ones, or start again in another folder");
            }
            int nextFile = in.readInt();
            String lastFile = in.readUTF();
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
            s.images = images;
            s.predictions.addAll(predictions);
            s.skipped.addAll(skipped);
            return s;
        } catch (IOException e) {
            throw new BadRequestException(file + ": the checkpoint cannot be read (" + e.getMessage() + ")");
        }
    }
}
