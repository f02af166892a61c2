package io.dnnvis.cli;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.audit.Audit;
import io.dnnvis.methods.audit.AuditMethod;
import io.dnnvis.methods.audit.AuditPictures;
import io.dnnvis.methods.audit.AuditRequest;
import io.dnnvis.methods.audit.AuditResult;
import io.dnnvis.methods.audit.ImageFolder;
import io.dnnvis.methods.audit.LabelSource;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.image.Preprocessing;
import io.dnnvis.onnx.OnnxModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dnnvis audit}: the top images of every unit of some layers over a folder of images, with
 * their receptive-field crops and reconstructions, the predictions and what was skipped.
 */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Run a folder of images through the model and keep, for every unit (channel) of the layers, the "
                    + "K images with the largest response (the maximum of the unit's map).",
            "Writes OUT/topk.csv, predictions.csv, skipped.csv, audit.json, and for each top image the crop of "
                    + "its receptive field (patches/LAYER/uU_rR.png) and the reconstruction of the unit at its "
                    + "maximum (recon/LAYER/uU_rR.png)."
        })
final class AuditCommand implements Callable<Integer> {

    /** Test hook: {@code -Ddnnvis.audit.stopAfter=N} stops the run, as if killed, after a checkpoint at N images. */
    static final String STOP_AFTER_PROPERTY = "dnnvis.audit.stopAfter";
    static final String CHECKPOINT = AuditOutputFolder.CHECKPOINT;
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
    Path modelFile;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder of images (PNG, JPEG, BMP, GIF, TIFF; other files are listed in skipped.csv).")
    Path images;

    @Option(names = "--recursive", description = "Also the images in the folders below DIR.")
    boolean recursive;

    @Option(names = "--layer", required = true, paramLabel = "L", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "Layers to audit: alias (conv5), node name or tensor name; [1,C,h,w] or [1,K].")
    List<String> layers;

    @Option(names = "--top", defaultValue = "" + AuditRequest.DEFAULT_TOP, paramLabel = "K",
            converter = Bounded.Positive.class, description = "Images kept per unit (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--method", defaultValue = "deconvnet", paramLabel = "deconvnet|desalinet|salinet|none",
            description = "The backward net of the reconstructions, or none (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--batch", defaultValue = "" + AuditRequest.DEFAULT_BATCH, paramLabel = "B",
            converter = Bounded.Positive.class,
            description = "Images per forward run (default: ${DEFAULT-VALUE}; 1 where the model's batch is fixed).")
    int batch;

    @Option(names = "--labels-from", paramLabel = "folder|prefix",
            description = "The true class of an image: its folder's name, or its file name up to the first "
                    + "'-', '_' or '.' (default: none).")
    String labelsFrom;

    @Option(names = {"-o", "--output"}, defaultValue = "audit", paramLabel = "OUT",
            description = "Output folder (default: ${DEFAULT-VALUE}); refused when it holds an audit, unless --resume.")
    Path outputDir;

    @Option(names = "--resume", description = "Continue the interrupted audit in OUT from its last checkpoint.")
    boolean resume;

    @Option(names = "--checkpoint-every", defaultValue = "" + Audit.DEFAULT_CHECKPOINT_EVERY, paramLabel = "N",
            converter = Bounded.Positive.class,
            description = "Save the running state into OUT/.checkpoint every N images (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Option(names = "--engine", defaultValue = "local", paramLabel = "local|spark",
            description = "local (default): this JVM; spark: the same audit as a Spark job (through the ./dnnvis "
                    + "launcher, with --master local[N]|URL; see docs/spark.md).")
    String engine;

    @Mixin
    PreprocessOptions preprocessing;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!engine.equals("local")) {
            throw new UserException(engine.equals("spark")
                    ? "--engine spark runs through the ./dnnvis launcher (it adds Spark and its JVM flags) or "
                            + "spark-submit with spark/target/dnnvis-spark.jar; see docs/spark.md"
                    : "--engine must be local or spark, not '" + engine + "'");
        }
        AuditRequest request = new AuditRequest(layers, top, AuditMethod.parse(method), batch,
                labelsFrom == null ? LabelSource.NONE : LabelSource.parse(labelsFrom));
        if (images.toString().isEmpty()) {
            throw new UserException("--images: the path is empty; name the folder of images");
        }
        OutputPaths.checkFolder(outputDir);
        AuditOutputFolder.refuseImagesFolder(images, outputDir);
        Path checkpoint = outputDir.resolve(CHECKPOINT);
        OutputPaths.requireRegularOrAbsent(checkpoint);
        AuditOutputFolder.State found = AuditOutputFolder.State.of(outputDir);
        found.refuse(outputDir, resume);
        ImageFolder folder = ImageFolder.scan(images, recursive, outputDir);
        OnnxModel model = common.loadModel(modelFile);
        InputLayout layout = preprocessing.layout(model);
        ImageInput.Options imageOptions = new ImageInput.Options(preprocessing.preprocess, preprocessing.resize,
                preprocessing.inputSize == null ? null : preprocessing.inputSize.toArray(), preprocessing.maxPixels);
        String preprocess = (preprocessing.preprocess != null ? preprocessing.preprocess
                : Preprocessing.fromMetadata(model.metadata()).orElse(Preprocessing.IMAGENET)).label();
        List<Path> inputs = List.of(modelFile);
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (Visualizer vis = Visualizer.open(model, common.engineOptions(), layout)) {
            Audit audit = Audit.on(vis, common.engineOptions(), request, imageOptions);
            audit.check(); // refuses a missing or unfit layer, tables too large or a method without rules, before any output
            String digest = AuditFiles.sha256(modelFile);
            String settings = String.join("\n", "model=" + digest,
                    "images=" + images.toAbsolutePath().normalize(), "recursive=" + recursive, "layers=" + layers,
                    "top=" + top, "batch=" + batch, "labels=" + request.labels().label(), "preprocess=" + preprocess,
                    "resize=" + preprocessing.resize,
                    "size=" + (preprocessing.inputSize == null ? "" : preprocessing.inputSize.toString()),
                    "layout=" + layout.label(), "max-pixels=" + preprocessing.maxPixels);
            if (found == AuditOutputFolder.State.COMPLETE) {
                return complete(settings, stdout);
            }
            OutputPaths.folder(outputDir);
            try (OutputLock lock = OutputLock.take(outputDir)) {
                AuditOutputFolder.State now = AuditOutputFolder.State.of(outputDir); // again: another run may have written there meanwhile
                now.refuse(outputDir, resume);
                if (now == AuditOutputFolder.State.COMPLETE) {
                    return complete(settings, stdout);
                }
                boolean fromCheckpoint = Files.exists(checkpoint, LinkOption.NOFOLLOW_LINKS);
                audit.checkpoint(checkpoint, checkpointEvery, settings).resume(resume && fromCheckpoint)
                        .progress(ProgressBar.audit(err, quiet));
                int stopAfter = Integer.getInteger(STOP_AFTER_PROPERTY, 0);
                if (stopAfter > 0) {
                    audit.stopAfter(stopAfter);
                }
                AuditResult result;
                Instant passStart = Instant.now();
                long runStart = System.nanoTime();
                try {
                    result = audit.run(folder);
                } catch (Audit.Stopped stopped) {
                    err.println("error: " + stopped.getMessage());
                    err.flush();
                    return 1;
                }
                double runSeconds = (System.nanoTime() - runStart) / 1e9;
                long picturesStart = System.nanoTime();
                AuditFiles files = new AuditFiles(outputDir, inputs);
                if (request.method() == AuditMethod.NONE) {
                    AuditOutputFolder.deleteTree(outputDir.resolve("recon")); // from an interrupted try with a method, if any
                }
                MissedPictures missed = new MissedPictures();
                AuditOutputs.drawPictures(files, AuditPictures.of(vis, imageOptions, request.method())
                        .progress(ProgressBar.auditPictures(err, quiet)), folder,
                        MissedPictures.unmodifiedSince(passStart, result, folder, missed), missed);
                double picturesSeconds = (System.nanoTime() - picturesStart) / 1e9;
                missed.warn(err, folder);
                // the checkpoint goes last: until then an interrupted run resumes from the end of its pass
                files.writeTables(result);
                files.writeManifest(new AuditFiles.Manifest(modelFile, digest, VersionProvider.version(), result, top,
                        request.method().label(), preprocess, started, Instant.now().truncatedTo(ChronoUnit.SECONDS),
                        request.labels().label(), AuditFiles.settingsDigest(settings)));
                AuditReport.write(outputDir); // index.html, a page per layer, classes.html: from the files above
                deleteCheckpoint(checkpoint);
                stdout.printf(java.util.Locale.ROOT, "audited %d images (%d skipped): %s, top %d, %s; wrote %s%n",
                        result.images(), result.skipped().size(), String.join(", ", layers), top,
                        request.method().label(), outputDir);
                int ran = result.images() - audit.resumedImages(); // the rate counts what this run read
                stdout.printf(java.util.Locale.ROOT,
                        "time: %.1f s for the images (%.1f images/s%s), %.1f s for %d patches%s%n", runSeconds,
                        runSeconds > 0 ? ran / runSeconds : 0,
                        audit.resumedImages() == 0 ? "" : ", " + audit.resumedImages() + " from the checkpoint",
                        picturesSeconds, result.top().size(),
                        request.method() == AuditMethod.NONE ? "" : " and reconstructions");
                stdout.flush();
                return 0;
            }
        }
    }

    /** --resume on the complete audit in OUT: nothing to do when it was made with {@code settings}, else refused. */
    private int complete(String settings, PrintWriter stdout) {
        if (!AuditFiles.madeWith(outputDir, settings)) {
            throw new UserException(outputDir + ": holds a complete audit made with other settings (or its audit.json "
                    + "cannot be read); give another -o");
        }
        stdout.println(outputDir + ": the audit is complete; nothing to resume");
        stdout.flush();
        return 0;
    }

    private static void deleteCheckpoint(Path checkpoint) {
        try {
            Files.deleteIfExists(checkpoint);
        } catch (IOException e) {
            throw new UserException(checkpoint + ": cannot remove the checkpoint (" + e.getMessage() + ")");
        }
    }
}
