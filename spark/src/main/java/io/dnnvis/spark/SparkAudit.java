package io.dnnvis.spark;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.audit.Audit;
import io.dnnvis.methods.audit.AuditLayer;
import io.dnnvis.methods.audit.AuditMethod;
import io.dnnvis.methods.audit.AuditResult;
import io.dnnvis.methods.audit.AuditTally;
import io.dnnvis.methods.audit.ReceptiveField;
import io.dnnvis.methods.audit.TopImage;
import io.dnnvis.trace.BadInputException;
import io.dnnvis.trace.EngineOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The dataset audit as a Spark job, the driver's part. First stage: the images through the
 * {@code binaryFile} source, one {@link PartitionAudit} per partition on the executors, the
 * partitions' tallies merged by {@code treeReduce}, and the result assembled here with the receptive
 * fields, exactly as the single-machine audit assembles its own. Second stage ({@link #pictures}):
 * the images of the final top table read again, grouped by image, drawn on the executors
 * ({@link PartitionPictures}) and their PNG bytes brought back a group of partitions at a time. The model's
 * bytes are broadcast once for both stages, and the executors' sessions serve both. Close it to
 * release the broadcast.
 */
public final class SparkAudit implements AutoCloseable {

    /** Tallies merged per level of the tree. */
    private static final int TREE_DEPTH = 2;

    private final SparkSession spark;
    private final Path modelFile;
    private final JobSettings settings;
    private final Broadcast<byte[]> model;

    private SparkAudit(SparkSession spark, Path modelFile, JobSettings settings, Broadcast<byte[]> model) {
        this.spark = spark;
        this.modelFile = modelFile;
        this.settings = settings;
        this.model = model;
    }

    /** The audit of {@code modelFile} with {@code settings} on {@code spark}: the model's bytes broadcast. */
    public static SparkAudit open(SparkSession spark, Path modelFile, JobSettings settings) {
        return open(spark, modelFile, readModel(modelFile), settings);
    }

    /** As {@link #open(SparkSession, Path, JobSettings)} with the file's bytes already read ({@link #checkModel}). */
    public static SparkAudit open(SparkSession spark, Path modelFile, byte[] modelBytes, JobSettings settings) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return new SparkAudit(spark, modelFile, settings, context.broadcast(modelBytes));
    }

    /** The first stage alone, for callers that draw no pictures: {@link #audit} of a job opened and closed. */
    public static AuditResult run(SparkSession spark, Path modelFile, JobSettings settings, boolean recursive,
            String glob) {
        try (SparkAudit job = open(spark, modelFile, settings)) {
            return job.audit(recursive, glob);
        }
    }

    /** The qualified URI of {@code images} on its Hadoop file system, without a trailing '/'. */
    public static String qualifiedRoot(SparkSession spark, String images) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(images);
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            String root = fs.makeQualified(path).toString();
            return root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        } catch (IOException e) {
            throw new UncheckedIOException(images + ": cannot reach its file system", e);
        }
    }

    /**
     * Audits the files below {@code settings.root()} ({@code recursive}: in every folder below it;
     * {@code glob}: only names that match it, null: all files, as the local audit offers them).
     */
    public AuditResult audit(boolean recursive, String glob) {
        io.dnnvis.onnx.OnnxModel parsed = io.dnnvis.onnx.OnnxModel.fromBytes(model.value(), modelFile,
                io.dnnvis.onnx.LoadOptions.defaults()); // the bytes the executors get, not the file again
        try (Visualizer vis = Visualizer.open(parsed, EngineOptions.defaults())) {
            Audit audit = Audit.on(vis, EngineOptions.defaults(), settings.request(), settings.imageOptions());
            List<AuditLayer> layers = audit.check(); // a missing or unfit layer, or a method without rules: before the job
            ReceptiveField field = audit.receptiveField();
            Dataset<Row> files = source(recursive, glob);
            JavaRDD<AuditTally> tallies = files.select("path", "content").javaRDD()
                    .mapPartitions(new PartitionAudit(settings, model));
            AuditTally empty = AuditTally.empty(layers, settings.top());
            // not tallies.isEmpty(): it runs the first partitions' audits only to throw them away and run them
            // again in the reduce (100 AlexNet images: 11.6 of 18.9 s)
            AuditTally all = tallies.getNumPartitions() == 0 ? empty
                    : empty.merge(tallies.treeReduce(AuditTally::merge, TREE_DEPTH));
            return all.result(field, layers, List.of());
        }
    }

    /**
     * Draws the patch and, with {@code method}, the reconstruction of every row of {@code result}'s
     * top table on the executors, image by image, handing each row's PNGs to {@code sink} on this
     * thread as the partitions finish (the driver holds the pictures of as many partitions as run at once).
     */
    public void pictures(AuditMethod method, AuditResult result, Consumer<RowPictures> sink) {
        Map<String, List<TopImage>> byImage = new TreeMap<>();
        for (TopImage row : result.top()) {
            byImage.computeIfAbsent(row.image(), k -> new ArrayList<>()).add(row);
        }
        if (byImage.isEmpty()) {
            return;
        }
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Map<String, List<TopImage>>> rows = context.broadcast(byImage);
        try {
            List<String> paths = byImage.keySet().stream().map(settings::pathOf).toList();
            JavaRDD<RowPictures> drawn = listedFiles(spark.read().format("binaryFile"), paths)
                    .select("path", "content").javaRDD()
                    .mapPartitions(new PartitionPictures(settings, method, model, rows));
            // a job per group of partitions, as many as run at once: the tasks draw in parallel and the driver
            // holds one group's pictures (toLocalIterator would run one partition at a time)
            int partitions = drawn.getNumPartitions();
            int group = Math.max(1, context.defaultParallelism());
            for (int from = 0; from < partitions; from += group) {
                int[] ids = IntStream.range(from, Math.min(partitions, from + group)).toArray();
                for (List<RowPictures> part : drawn.collectPartitions(ids)) {
                    part.forEach(sink);
                }
            }
        } finally {
            rows.destroy();
        }
    }

    @Override
    public void close() {
        model.destroy();
    }

    private Dataset<Row> source(boolean recursive, String glob) {
        requireFolder(spark.sparkContext().hadoopConfiguration(), settings.root());
        DataFrameReader reader = spark.read().format("binaryFile");
        if (glob != null) {
            reader = reader.option("pathGlobFilter", glob);
        }
        if (recursive) {
            return reader.option("recursiveFileLookup", "true").load(settings.root());
        }
        List<String> files = topLevelFiles(spark.sparkContext().hadoopConfiguration(), settings.root());
        if (files.isEmpty()) {
            return spark.read().format("binaryFile").load(settings.root()).limit(0);
        }
        return listedFiles(reader, files);
    }

    /**
     * The files {@code paths} (literal paths, taken as they are) through {@code reader}. The driver
     * lists them itself: above Spark's threshold Spark would run a listing job of one task per file
     * (with 2,080 images it cost 18 s).
     */
    private Dataset<Row> listedFiles(DataFrameReader reader, List<String> paths) {
        String threshold = "spark.sql.sources.parallelPartitionDiscovery.threshold";
        int now = Integer.parseInt(spark.conf().get(threshold, "32"));
        if (now <= paths.size()) {
            spark.conf().set(threshold, Integer.toString(paths.size() + 1));
        }
        return reader.load(paths.stream().map(SparkAudit::literal).toArray(String[]::new));
    }

    /**
     * {@code path} as a glob pattern that matches only itself: Hadoop's glob characters escaped (Spark
     * globs every path it is given; a file named {@code a[1].png} would not match itself).
     */
    static String literal(String path) {
        return path.replaceAll("([\\\\\\[\\]{}*?])", "\\\\$1");
    }

    /** Refuses, as the local audit does, an images root that is not there or is not a folder. */
    static void requireFolder(Configuration conf, String root) {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root);
        FileStatus status;
        try {
            status = dir.getFileSystem(conf).getFileStatus(dir);
        } catch (java.io.FileNotFoundException e) {
            throw new BadInputException(root + ": folder not found");
        } catch (IOException e) {
            throw new BadInputException(root + ": cannot read the folder (" + e.getMessage() + ")");
        }
        if (!status.isDirectory()) {
            throw new BadInputException(root + ": not a folder");
        }
    }

    /** The regular files directly in {@code root} (the local audit without --recursive reads only those). */
    private static List<String> topLevelFiles(Configuration conf, String root) {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            List<String> out = new ArrayList<>();
            for (FileStatus status : fs.listStatus(dir)) {
                if (status.isFile()) {
                    out.add(status.getPath().toString());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list the folder", e);
        }
    }

    /**
     * Refuses, on the driver and before any job, a model the executors could not load: what the
     * local audit refuses (a file over 2 GiB, a damaged graph...) and a model with external data,
     * since only the .onnx file's bytes reach the executors.
     *
     * @return the file's bytes, as the executors get them (the file is read once)
     */
    public static byte[] checkModel(Path modelFile) {
        byte[] bytes;
        try {
            bytes = readModel(modelFile);
        } catch (UncheckedIOException e) {
            io.dnnvis.onnx.OnnxModel.load(modelFile); // a missing file, a folder...: refused with its own message
            throw e;
        }
        try {
            io.dnnvis.onnx.OnnxModel.fromBytes(bytes, modelFile, io.dnnvis.onnx.LoadOptions.defaults());
            return bytes;
        } catch (io.dnnvis.onnx.UserErrorException e) {
            io.dnnvis.onnx.OnnxModel.load(modelFile); // a damaged model fails here, with its own message
            // it loads from its folder: only its external data is missing from the bytes
            throw new BadInputException(modelFile + ": has external data, and the Spark audit sends the executors the "
                    + ".onnx file alone; run it with --engine local (" + e.getMessage() + ")");
        }
    }

    private static byte[] readModel(Path modelFile) {
        try {
            if (Files.size(modelFile) > Integer.MAX_VALUE - 8) {
                throw new BadInputException(modelFile + ": file of " + Files.size(modelFile) + " bytes is larger than "
                        + "an ONNX protobuf can be (2 GiB)");
            }
            return Files.readAllBytes(modelFile);
        } catch (IOException e) {
            throw new UncheckedIOException(modelFile + ": cannot read", e);
        }
    }
}
