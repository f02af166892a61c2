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
import java.util.Optional;
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
    static final String CHECKPOINT = ".checkpoint";
    /** What an audit writes into OUT: any of them there means OUT holds (part of) an audit. */
    static final List<String> RESULTS = List.of("topk.csv", "predictions.csv", "skipped.csv", "audit.json",
            "patches", "recon", "index.html", "classes.html", CHECKPOINT);

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

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
    Path modelFile;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder of PNG and JPEG images.")
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
        refuseImagesFolder(images, outputDir);
        Path checkpoint = outputDir.resolve(CHECKPOINT);
        if (Files.isSymbolicLink(checkpoint)) {
            throw new UserException(checkpoint + ": is a symbolic link; refusing to read or write through it");
        }
        if (Files.exists(checkpoint, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(checkpoint, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserException(checkpoint + ": is not a regular file; refusing to read or replace it");
        }
        State found = State.of(outputDir);
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
            audit.checkSizes(); // refuses a missing or unfit layer, or tables too large, before any output
            String digest = AuditFiles.sha256(modelFile);
            String settings = String.join("\n", "model=" + digest,
                    "images=" + images.toAbsolutePath().normalize(), "recursive=" + recursive, "layers=" + layers,
                    "top=" + top, "batch=" + batch, "labels=" + request.labels().label(), "preprocess=" + preprocess,
                    "resize=" + preprocessing.resize,
                    "size=" + (preprocessing.inputSize == null ? "" : preprocessing.inputSize.toString()),
                    "layout=" + layout.label(), "max-pixels=" + preprocessing.maxPixels);
            if (found == State.COMPLETE) {
                return complete(settings, stdout);
            }
            OutputPaths.folder(outputDir);
            try (OutputLock lock = OutputLock.take(outputDir)) {
                State now = State.of(outputDir); // again: another run may have written there meanwhile
                now.refuse(outputDir, resume);
                if (now == State.COMPLETE) {
                    return complete(settings, stdout);
                }
                boolean fromCheckpoint = Files.exists(checkpoint, LinkOption.NOFOLLOW_LINKS);
                audit.checkpoint(checkpoint, checkpointEvery, settings).resume(resume && fromCheckpoint)
                        .progress(AuditProgressBar.forTerminal(err, quiet));
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
                    deleteTree(outputDir.resolve("recon")); // from an interrupted try with a method, if any
                }
                MissedPictures missed = new MissedPictures();
                AuditOutputs.drawPictures(files, AuditPictures.of(vis, imageOptions, request.method())
                        .progress(AuditProgressBar.forPictures(err, quiet)), folder,
                        unmodifiedSince(passStart, result, folder, missed), missed);
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
                stdout.printf(java.util.Locale.ROOT,
                        "time: %.1f s for the images (%.1f images/s), %.1f s for %d patches%s%n", runSeconds,
                        runSeconds > 0 ? result.images() / runSeconds : 0, picturesSeconds, result.top().size(),
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

    /**
     * {@code result} without the top rows of images modified since {@code start} (rewritten while the
     * audit ran: their pictures would not show what was audited), those told to {@code missed}. Files
     * read before a checkpoint that changed before the resume are refused by the resume itself.
     */
    static AuditResult unmodifiedSince(Instant start, AuditResult result, ImageFolder folder,
            AuditPictures.Missed missed) {
        java.util.Map<String, List<io.dnnvis.methods.audit.TopImage>> byImage = new java.util.TreeMap<>();
        result.top().forEach(r -> byImage.computeIfAbsent(r.image(), k -> new java.util.ArrayList<>()).add(r));
        java.util.Set<String> modified = new java.util.HashSet<>();
        byImage.forEach((image, rows) -> {
            try {
                Instant at = Files.getLastModifiedTime(folder.resolve(image)).toInstant();
                if (at.isAfter(start)) {
                    modified.add(image);
                    missed.rows(rows, "modified at " + at + ", while the audit ran: its pictures would not show "
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

    /** Removes {@code dir} and what it holds, following no symbolic link; nothing when it does not exist. */
    private static void deleteTree(Path dir) {
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
    private static void refuseImagesFolder(Path images, Path out) {
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

    /** The images that could not be read again for their pictures, told once each on stderr. */
    private static final class MissedPictures implements AuditPictures.Missed {
        private final java.util.Map<String, String> reasons = new java.util.TreeMap<>();
        private final java.util.Map<String, Integer> rows = new java.util.TreeMap<>();

        @Override
        public synchronized void rows(List<io.dnnvis.methods.audit.TopImage> of, String reason) {
            String image = of.get(0).image();
            reasons.putIfAbsent(image, reason);
            rows.merge(image, of.size(), Integer::sum);
        }

        synchronized void warn(PrintWriter err, ImageFolder folder) {
            reasons.forEach((image, reason) -> err.println("warning: " + folder.resolve(image) + ": no pictures for "
                    + "its " + rows.get(image) + " top rows (" + reason + ")"));
            err.flush();
        }
    }

    private static void deleteCheckpoint(Path checkpoint) {
        try {
            Files.deleteIfExists(checkpoint);
        } catch (IOException e) {
            throw new UserException(checkpoint + ": cannot remove the checkpoint (" + e.getMessage() + ")");
        }
    }
}
