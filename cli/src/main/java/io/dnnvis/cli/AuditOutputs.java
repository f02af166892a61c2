package io.dnnvis.cli;

import io.dnnvis.methods.audit.AuditPictures;
import io.dnnvis.methods.audit.AuditResult;
import io.dnnvis.methods.audit.ImageFolder;
import io.dnnvis.methods.render.Images;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

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

    /**
     * Refuses (a {@link UserException}) an output folder that holds an audit already or cannot be one,
     * before any work (the files create it).
     */
    public static void prepareFolder(Path dir) {
        OutputPaths.checkFolder(dir);
        AuditCommand.RESULTS.stream().filter(n -> dir.resolve(n).toFile().exists()).findFirst().ifPresent(n -> {
            throw new UserException(dir + ": holds an audit already (" + n + "); give another -o");
        });
    }

    /**
     * Draws every top row's receptive-field crop ({@code patches/LAYER/uU_rR.png}) and, with a method,
     * its reconstruction ({@code recon/LAYER/uU_rR.png}) from {@code folder}'s images.
     */
    public static void writePictures(Path dir, Path model, AuditPictures pictures, ImageFolder folder,
            AuditResult result) {
        drawPictures(new AuditFiles(dir, List.of(model)), pictures, folder, result);
    }

    static void drawPictures(AuditFiles files, AuditPictures pictures, ImageFolder folder, AuditResult result) {
        pictures.draw(folder, result, drawn -> {
            String name = "u" + drawn.row().unit() + "_r" + drawn.row().rank() + ".png";
            String layerFolder = files.folderOf(result, drawn.row().layer());
            files.write(Path.of("patches", layerFolder, name), Images.png(drawn.patch()));
            drawn.reconstruction().ifPresent(r -> files.write(Path.of("recon", layerFolder, name), Images.png(r)));
        });
    }

    /** Writes the tables, {@code audit.json} and the report into {@code dir}. */
    public static void write(Path dir, AuditResult result, Run run) {
        AuditFiles files = new AuditFiles(dir, List.of(run.model()));
        files.writeTables(result);
        files.writeManifest(new AuditFiles.Manifest(run.model(), run.modelSha256(), VersionProvider.version(), result,
                run.top(), run.method(), run.preprocessing(), run.started(), run.finished(), run.labelsFrom()));
        AuditReport.write(dir);
    }
}
