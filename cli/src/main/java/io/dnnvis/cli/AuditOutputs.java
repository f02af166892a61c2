package io.dnnvis.cli;

import io.dnnvis.methods.audit.AuditPictures;
import io.dnnvis.methods.audit.AuditResult;
import io.dnnvis.methods.audit.ImageFolder;
import io.dnnvis.methods.render.Images;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The files of an audit for engines outside this package (the Spark job's driver): the same
 * {@code topk.csv}, {@code predictions.csv}, {@code skipped.csv}, {@code audit.json} and report as
 * {@code dnnvis audit} writes, each atomically.
 */
public final class AuditOutputs {

    /** How the audit was made, for {@code audit.json}. */
    public record Run(Path model, String modelSha256, int top, String method, String preprocessing,
            Instant started, Instant finished, String labelsFrom) {
    }

    private AuditOutputs() {
    }

    /** The SHA-256 of a file, hex. */
    public static String sha256(Path file) {
        return AuditFiles.sha256(file);
    }

    /** The SHA-256 of a file's bytes already read, hex (as {@link #sha256(Path)} gives for the file). */
    public static String sha256(byte[] bytes) {
        return AuditFiles.sha256(bytes);
    }

    /**
     * Refuses (a {@link UserException}) an output folder that holds an audit already or cannot be one,
     * before any work (the files create it).
     */
    public static void prepareFolder(Path dir) {
        OutputPaths.checkFolder(dir);
        AuditOutputFolder.held(dir).ifPresent(n -> {
            throw new UserException(dir + ": holds an audit already (" + n + "); give another -o");
        });
    }

    /**
     * Refuses (a {@link UserException}) an output folder that is the folder of images, {@code images}
     * a local path or a {@code file:} URI (other file systems cannot be the same folder).
     */
    public static void refuseImagesFolder(String images, Path dir) {
        Path local;
        try {
            local = images.startsWith("file:") ? Path.of(java.net.URI.create(images))
                    : images.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") ? null : Path.of(images);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            local = null;
        }
        if (local != null) {
            AuditOutputFolder.refuseImagesFolder(local, dir);
        }
    }

    /**
     * The writer of the rows' pictures into {@code dir}, for pictures drawn elsewhere (a Spark job's
     * executors): {@link Pictures#write} names and writes them as {@code dnnvis audit} does.
     */
    public static Pictures pictures(Path dir, Path model, AuditResult result) {
        return new Pictures(new AuditFiles(dir, List.of(model)), result);
    }

    /** Writes rows' pictures, each atomically: {@code patches/LAYER/uU_rR.png} and {@code recon/LAYER/uU_rR.png}. */
    public static final class Pictures {

        private final AuditFiles files;
        private final AuditResult result;

        private Pictures(AuditFiles files, AuditResult result) {
            this.files = files;
            this.result = result;
        }

        /** The pictures of the row of unit {@code unit}, rank {@code rank} of layer (tensor) {@code layer}. */
        public void write(String layer, int unit, int rank, byte[] patchPng, Optional<byte[]> reconstructionPng) {
            String name = "u" + unit + "_r" + rank + ".png";
            String layerFolder = files.folderOf(result, layer);
            files.write(Path.of("patches", layerFolder, name), patchPng);
            reconstructionPng.ifPresent(r -> files.write(Path.of("recon", layerFolder, name), r));
        }
    }

    /** Draws every top row's patch and, with a method, its reconstruction from {@code folder}'s images. */
    static void drawPictures(AuditFiles files, AuditPictures pictures, ImageFolder folder, AuditResult result,
            AuditPictures.Missed missed) {
        Pictures out = new Pictures(files, result);
        pictures.draw(folder, result, drawn -> out.write(drawn.row().layer(), drawn.row().unit(), drawn.row().rank(),
                Images.png(drawn.patch()), drawn.reconstruction().map(Images::png)), missed);
    }

    /** Writes the tables, {@code audit.json} and the report into {@code dir}. */
    public static void write(Path dir, AuditResult result, Run run) {
        AuditFiles files = new AuditFiles(dir, List.of(run.model()));
        files.writeTables(result);
        files.writeManifest(new AuditFiles.Manifest(run.model(), run.modelSha256(), VersionProvider.version(), result,
                run.top(), run.method(), run.preprocessing(), run.started(), run.finished(), run.labelsFrom(), null));
        AuditReport.write(dir);
    }
}
