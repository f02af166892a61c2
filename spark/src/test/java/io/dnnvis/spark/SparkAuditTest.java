package io.dnnvis.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dnnvis.cli.AuditOutputs;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.audit.Audit;
import io.dnnvis.methods.audit.AuditMethod;
import io.dnnvis.methods.audit.AuditRequest;
import io.dnnvis.methods.audit.AuditResult;
import io.dnnvis.methods.audit.ImageFolder;
import io.dnnvis.methods.audit.LabelSource;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.image.ResizeMode;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark audit in local[2] (two tries per task) on the 260 reference glyphs gives the local
 * engine's tables: the same topk.csv rows (activations within 1e-4) and predictions, also when a
 * task fails once and Spark runs it again.
 */
class SparkAuditTest {

    static final List<String> LAYERS = List.of("/features/features.6/Relu_output_0",
            "/features/features.16/Relu_output_0");
    static final int TOP = 9;

    private static SparkSession spark;
    private static Path images;
    private static AuditResult local;
    private static AuditResult distributed;
    /** Sessions this JVM had opened before this class's jobs (other test classes run in it too). */
    private static int sessionsBefore;

    @BeforeAll
    static void start() {
        images = TestData.auditReference().resolve("images");
        spark = SparkSession.builder().master("local[2,2]").appName("dnnvis-spark-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        AuditRequest request = new AuditRequest(LAYERS, TOP, AuditMethod.NONE, 16, LabelSource.PREFIX);
        try (Visualizer vis = Visualizer.open(TestData.glyphNet())) {
            local = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .run(ImageFolder.scan(images, false));
        }
        sessionsBefore = ExecutorSessions.opened();
        distributed = SparkAudit.run(spark, TestData.glyphNet(), settings(images), false, null);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static JobSettings settings(Path folder) {
        return new JobSettings(AuditOutputs.sha256(TestData.glyphNet()), "glyphnet.onnx",
                SparkAudit.qualifiedRoot(spark, folder.toString()), LAYERS, TOP, 16, LabelSource.PREFIX, null,
                ResizeMode.CROP, null, ImageInput.Options.defaults().maxPixels(), -1);
    }

    private static List<String[]> topk(AuditResult result, Path dir) throws IOException {
        AuditOutputs.write(dir, result, new AuditOutputs.Run(TestData.glyphNet(), "0", TOP, "none", "imagenet",
                Instant.EPOCH, Instant.EPOCH, "prefix"));
        return Files.readAllLines(dir.resolve("topk.csv")).stream().map(l -> l.split(",", -1)).toList();
    }

    private static void assertSameTable(List<String[]> actual, List<String[]> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        assertThat(actual.get(0)).containsExactly(expected.get(0));
        for (int i = 1; i < expected.size(); i++) {
            String[] a = actual.get(i);
            String[] e = expected.get(i);
            String where = "row " + i + ": " + String.join(",", e);
            assertThat(a).as(where).hasSize(11);
            for (int c = 0; c < 11; c++) {
                if (c == 6) {
                    assertThat(Double.parseDouble(a[c])).as(where).isCloseTo(Double.parseDouble(e[c]), within(1e-4));
                } else {
                    assertThat(a[c]).as(where + " column " + c).isEqualTo(e[c]);
                }
            }
        }
    }

    @Test
    void topkCsvIsTheLocalEnginesRowForRow(@TempDir Path tmp) throws IOException {
        assertThat(distributed.images()).isEqualTo(260);
        assertThat(distributed.skipped()).isEmpty();
        List<String[]> expected = topk(local, tmp.resolve("local"));
        assertThat(expected).hasSize(1 + local.layers().stream().mapToInt(l -> l.units()).sum() * TOP);
        assertSameTable(topk(distributed, tmp.resolve("spark")), expected);
    }

    @Test
    void predictionsAreTheLocalEnginesInPathOrder() {
        assertThat(distributed.predictions()).hasSize(260);
        for (int i = 0; i < 260; i++) {
            var d = distributed.predictions().get(i);
            var l = local.predictions().get(i);
            assertThat(d.image()).isEqualTo(l.image());
            assertThat(d.predicted()).as(d.image()).isEqualTo(l.predicted());
            assertThat(d.trueLabel()).isEqualTo(l.trueLabel());
            assertThat((double) d.score()).isCloseTo(l.score(), within(1e-4));
        }
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheResultIsUnchanged(@TempDir Path tmp) throws IOException {
        int before = PartitionAudit.injectedFailures();
        AuditResult retried = SparkAudit.run(spark, TestData.glyphNet(), settings(images).failingOnceIn(1), false,
                null);
        assertThat(PartitionAudit.injectedFailures()).isEqualTo(before + 1);
        assertThat(retried.images()).isEqualTo(260);
        assertSameTable(topk(retried, tmp.resolve("retried")), topk(distributed, tmp.resolve("once")));
        // the executor JVM's session was opened once and reused by every task of every job of this class
        assertThat(ExecutorSessions.opened()).isEqualTo(sessionsBefore + 1);
    }

    @Test
    void filesThatAreNotImagesAreSkippedAsTheLocalEngineSkipsThem(@TempDir Path tmp) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("mixed"));
        try (var files = Files.list(images)) {
            for (Path p : files.sorted().limit(20).toList()) {
                Files.copy(p, folder.resolve(p.getFileName()));
            }
        }
        Files.writeString(folder.resolve("notes.txt"), "not an image");
        Files.write(folder.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        AuditRequest request = new AuditRequest(LAYERS, TOP, AuditMethod.NONE, 16, LabelSource.PREFIX);
        AuditResult expected;
        try (Visualizer vis = Visualizer.open(TestData.glyphNet())) {
            expected = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .run(ImageFolder.scan(folder, false));
        }
        AuditResult actual = SparkAudit.run(spark, TestData.glyphNet(), settings(folder), false, null);
        assertThat(expected.skipped()).hasSize(2);
        assertThat(actual.skipped()).isEqualTo(expected.skipped());
        assertThat(actual.images()).isEqualTo(20);
        assertSameTable(topk(actual, tmp.resolve("a")), topk(expected, tmp.resolve("e")));
    }
}
