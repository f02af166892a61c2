package io.dnnvis.spark;

import io.dnnvis.cli.AuditOutputs;
import io.dnnvis.methods.audit.AuditMethod;
import io.dnnvis.methods.audit.AuditRequest;
import io.dnnvis.methods.audit.AuditResult;
import io.dnnvis.methods.audit.LabelSource;
import io.dnnvis.methods.image.ImageReading;
import io.dnnvis.methods.image.Preprocessing;
import io.dnnvis.methods.image.ResizeMode;
import io.dnnvis.onnx.UserErrorException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The Spark audit's command line ({@code spark-submit --class io.dnnvis.spark.SparkAuditMain
 * dnnvis-spark.jar MODEL --images URI --layer L ...}, and {@code dnnvis audit --engine spark}): the
 * same options and outputs as {@code dnnvis audit}, the images at any Hadoop file system URI.
 */
@Command(name = "dnnvis-spark-audit", mixinStandardHelpOptions = true,
        description = "The dataset audit as a Spark job: writes OUT/topk.csv, predictions.csv, skipped.csv, "
                + "audit.json and the report, as 'dnnvis audit' does.")
final class SparkAuditCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file (on the driver).")
    Path modelFile;

    @Option(names = "--images", required = true, paramLabel = "URI",
            description = "Folder of images: a path or any Hadoop file system URI (file:, hdfs:, s3a:).")
    String images;

    @Option(names = "--recursive", description = "Also the images in the folders below.")
    boolean recursive;

    @Option(names = "--glob", paramLabel = "PATTERN", description = "Only files whose names match (e.g. *.jpg).")
    String glob;

    @Option(names = "--layer", required = true, paramLabel = "L1[,L2...]", split = "\\s*,\\s*",
            description = "Layers to audit: alias, node name or tensor name.")
    List<String> layers;

    @Option(names = "--top", defaultValue = "" + AuditRequest.DEFAULT_TOP, paramLabel = "K")
    int top;

    @Option(names = "--method", defaultValue = "deconvnet", paramLabel = "deconvnet|desalinet|salinet|none")
    String method;

    @Option(names = "--batch", defaultValue = "" + AuditRequest.DEFAULT_BATCH, paramLabel = "B")
    int batch;

    @Option(names = "--labels-from", paramLabel = "folder|prefix")
    String labelsFrom;

    @Option(names = "--preprocess", paramLabel = "PRESET")
    String preprocess;

    @Option(names = "--resize", defaultValue = "crop", paramLabel = "MODE")
    String resize;

    @Option(names = "--max-pixels", defaultValue = "" + ImageReading.DEFAULT_MAX_PIXELS, paramLabel = "N")
    long maxPixels;

    @Option(names = "--master", paramLabel = "local[N]|URL",
            description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = {"-o", "--output"}, defaultValue = "audit", paramLabel = "OUT")
    Path outputDir;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines.")
    boolean quiet;

    @Option(names = "--engine", hidden = true, defaultValue = "spark",
            description = "Accepted for 'dnnvis audit --engine spark'.")
    String engine;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (top < 1 || batch < 1) {
            throw new UserErrorException("--top and --batch must be positive");
        }
        AuditMethod auditMethod = AuditMethod.parse(method);
        LabelSource labels = labelsFrom == null ? LabelSource.NONE : LabelSource.parse(labelsFrom);
        Preprocessing preset = preprocess == null ? null : Preprocessing.parse(preprocess);
        ResizeMode mode = ResizeMode.parse(resize);
        AuditOutputs.prepareFolder(outputDir);
        AuditOutputs.refuseImagesFolder(images, outputDir);
        byte[] modelBytes = SparkAudit.checkModel(modelFile);
        String digest = AuditOutputs.sha256(modelBytes);
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        SparkSession.Builder builder = SparkSession.builder().appName("dnnvis audit");
        if (master != null) {
            builder.master(master);
        } else if (!new org.apache.spark.SparkConf().contains("spark.master")) {
            builder.master("local[*]");
        }
        SparkSession spark = builder.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            String root = SparkAudit.qualifiedRoot(spark, images);
            JobSettings settings = new JobSettings(digest, modelFile.getFileName().toString(), root, layers, top, batch,
                    labels, preset, mode, null, maxPixels, -1);
            AuditResult result;
            double seconds;
            double pictureSeconds;
            try (SparkAudit job = SparkAudit.open(spark, modelFile, modelBytes, settings)) {
                long t0 = System.nanoTime();
                result = job.audit(recursive, glob);
                seconds = (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                AuditOutputs.Pictures pictures = AuditOutputs.pictures(outputDir, modelFile, result);
                job.pictures(auditMethod, result, p -> pictures.write(p.layer(), p.unit(), p.rank(), p.patch(),
                        p.reconstructionPng()));
                pictureSeconds = (System.nanoTime() - t1) / 1e9;
            }
            io.dnnvis.onnx.OnnxModel model = io.dnnvis.onnx.OnnxModel.fromBytes(modelBytes, modelFile,
                    io.dnnvis.onnx.LoadOptions.defaults()); // the bytes the job ran, not the file again
            String preprocessing = (preset != null ? preset
                    : Preprocessing.fromMetadata(model.metadata()).orElse(Preprocessing.IMAGENET)).label();
            AuditOutputs.write(outputDir, result, new AuditOutputs.Run(modelFile, digest, top, auditMethod.label(),
                    preprocessing, started, Instant.now().truncatedTo(ChronoUnit.SECONDS), labels.label()));
            if (!quiet) {
                out.printf(Locale.ROOT, "audited %d images (%d skipped) on Spark %s: %s, top %d, %s; wrote %s%n",
                        result.images(), result.skipped().size(), spark.sparkContext().master(), String.join(", ", layers),
                        top, auditMethod.label(), outputDir);
                out.printf(Locale.ROOT, "time: %.1f s for the images (%.1f images/s), %.1f s for %d patches%s%n",
                        seconds, seconds > 0 ? result.images() / seconds : 0, pictureSeconds, result.top().size(),
                        auditMethod == AuditMethod.NONE ? "" : " and reconstructions");
                out.flush();
            }
            return 0;
        } finally {
            spark.stop();
        }
    }
}
