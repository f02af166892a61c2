package io.dnnvis.spark;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.audit.Audit;
import io.dnnvis.methods.audit.AuditLayer;
import io.dnnvis.methods.audit.AuditResult;
import io.dnnvis.methods.audit.AuditTally;
import io.dnnvis.methods.audit.ReceptiveField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The dataset audit as a Spark job, the driver's part: the images through the {@code binaryFile}
 * source, one {@link PartitionAudit} per partition on the executors (the model's bytes broadcast
 * once), the partitions' tallies merged by {@code treeReduce}, and the result assembled here with
 * the receptive fields, exactly as the single-machine audit assembles its own.
 */
public final class SparkAudit {

    /** Tallies merged per level of the tree. */
    private static final int TREE_DEPTH = 2;

    private SparkAudit() {
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
    public static AuditResult run(SparkSession spark, Path modelFile, JobSettings settings, boolean recursive,
            String glob) {
        byte[] bytes = readModel(modelFile);
        try (Visualizer vis = Visualizer.open(modelFile)) {
            Audit audit = Audit.on(vis, io.dnnvis.trace.EngineOptions.defaults(), settings.request(),
                    settings.imageOptions());
            List<AuditLayer> layers = audit.layers(); // refuses a missing or unfit layer before the job
            ReceptiveField field = audit.receptiveField();
            JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Broadcast<byte[]> model = context.broadcast(bytes);
            try {
                Dataset<Row> files = source(spark, settings.root(), recursive, glob);
                JavaRDD<AuditTally> tallies = files.select("path", "content").javaRDD()
                        .mapPartitions(new PartitionAudit(settings, model));
                AuditTally empty = AuditTally.empty(layers, settings.top());
                AuditTally all = tallies.isEmpty() ? empty : empty.merge(tallies.treeReduce(AuditTally::merge,
                        TREE_DEPTH));
                return all.result(field, layers, List.of());
            } finally {
                model.destroy();
            }
        }
    }

    private static Dataset<Row> source(SparkSession spark, String root, boolean recursive, String glob) {
        DataFrameReader reader = spark.read().format("binaryFile");
        if (glob != null) {
            reader = reader.option("pathGlobFilter", glob);
        }
        if (recursive) {
            return reader.option("recursiveFileLookup", "true").load(root);
        }
        List<String> files = topLevelFiles(spark.sparkContext().hadoopConfiguration(), root);
        // the files are listed already: without this Spark runs a listing job of one task per file
        spark.conf().set("spark.sql.sources.parallelPartitionDiscovery.threshold", Integer.toString(files.size() + 1));
        if (files.isEmpty()) {
            return spark.read().format("binaryFile").load(root).limit(0);
        }
        return reader.load(files.toArray(String[]::new));
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

    private static byte[] readModel(Path modelFile) {
        try {
            return Files.readAllBytes(modelFile);
        } catch (IOException e) {
            throw new UncheckedIOException(modelFile + ": cannot read", e);
        }
    }
}
