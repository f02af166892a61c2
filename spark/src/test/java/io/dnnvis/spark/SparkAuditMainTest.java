package io.dnnvis.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dnnvis.cli.Main;
import io.dnnvis.testdata.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark audit's command line writes what 'dnnvis audit' writes: the same top table, and the same
 * patches and reconstructions byte for byte (the distributed second stage).
 */
class SparkAuditMainTest {

    private static final String LAYER = "/features/features.10/Relu_output_0";

    private static Path subset(Path tmp) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("images"));
        try (var files = Files.list(TestData.auditReference().resolve("images"))) {
            List<Path> all = files.sorted().toList();
            for (int i = 0; i < all.size(); i += 9) {
                Files.copy(all.get(i), folder.resolve(all.get(i).getFileName()));
            }
        }
        Files.writeString(folder.resolve("readme.txt"), "not an image");
        // a copy of the first image under a name with Hadoop's glob characters: both stages read it as itself
        Files.copy(all(TestData.auditReference().resolve("images")).get(0), folder.resolve("odd [1] {a}*?.png"));
        return folder;
    }

    private static List<Path> all(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** The files below {@code dir} by their path relative to it, with their bytes. */
    private static Map<Path, byte[]> files(Path dir) throws IOException {
        Map<Path, byte[]> out = new TreeMap<>();
        try (var all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static List<String[]> rows(Path csv) throws IOException {
        return Files.readAllLines(csv).stream().map(l -> l.split(",", -1)).toList();
    }

    @Test
    void writesTheLocalAuditsFilesAndTopTable(@TempDir Path tmp) throws IOException {
        Path images = subset(tmp);
        String model = TestData.glyphNet().toString();
        int local = Main.run("audit", model, "--images", images.toString(), "--layer", LAYER, "--top", "3",
                "--labels-from", "prefix", "-q", "-o", tmp.resolve("local").toString());
        assertThat(local).isZero();
        int sessions = ExecutorSessions.opened();
        int spark = SparkAuditMain.run(model, "--images", images.toString(), "--layer", LAYER, "--top", "3",
                "--labels-from", "prefix", "--master", "local[2]", "-q", "-o", tmp.resolve("spark").toString());
        assertThat(spark).isZero();
        // both stages ran on one session of the executor (this JVM)
        assertThat(ExecutorSessions.opened()).isEqualTo(sessions + 1);
        Path out = tmp.resolve("spark");
        for (String name : List.of("topk.csv", "predictions.csv", "skipped.csv", "audit.json", "index.html")) {
            assertThat(out.resolve(name)).as(name).isRegularFile();
        }
        List<String[]> expected = rows(tmp.resolve("local/topk.csv"));
        List<String[]> actual = rows(out.resolve("topk.csv"));
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            for (int c = 0; c < expected.get(i).length; c++) {
                if (i > 0 && c == 6) {
                    assertThat(Double.parseDouble(actual.get(i)[c])).isCloseTo(Double.parseDouble(expected.get(i)[c]),
                            within(1e-4));
                } else {
                    assertThat(actual.get(i)[c]).as("row %d column %d", i, c).isEqualTo(expected.get(i)[c]);
                }
            }
        }
        assertThat(Files.readString(out.resolve("skipped.csv")))
                .isEqualTo(Files.readString(tmp.resolve("local/skipped.csv")));
        assertThat(Files.readAllLines(out.resolve("predictions.csv")).stream().map(l -> l.split(",")[0]).toList())
                .isEqualTo(Files.readAllLines(tmp.resolve("local/predictions.csv")).stream()
                        .map(l -> l.split(",")[0]).toList());
        assertThat(Files.readString(out.resolve("topk.csv"))).contains(",odd [1] {a}*?.png,");
        // the same pictures, byte for byte: drawn by the second stage on the executors, written by the driver
        for (String kind : List.of("patches", "recon")) {
            Map<Path, byte[]> drawnHere = files(tmp.resolve("local").resolve(kind));
            Map<Path, byte[]> distributed = files(out.resolve(kind));
            assertThat(drawnHere).as(kind).hasSize(expected.size() - 1);
            assertThat(distributed.keySet()).as(kind).isEqualTo(drawnHere.keySet());
            for (Path name : drawnHere.keySet()) {
                assertThat(distributed.get(name)).as(kind + "/" + name).isEqualTo(drawnHere.get(name));
            }
        }
        assertThat(Files.readString(out.resolve("audit.json"))).containsPattern("\"method\"\\s*:\\s*\"deconvnet\"")
                .containsPattern("\"images\"\\s*:\\s*30\\b");
    }

    /**
     * Refused on the driver before any job, as the local audit refuses them: OUT as the folder of
     * images, a huge model, a missing one.
     */
    @Test
    void whatTheLocalAuditRefusesIsRefusedBeforeTheJob(@TempDir Path tmp) throws IOException {
        Path images = subset(tmp);
        Path huge = tmp.resolve("huge.onnx");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: takes no disk
        }
        String[][] cases = {
            {TestData.glyphNet().toString(), images.toString(), images.toString(), "is the folder of images"},
            {TestData.glyphNet().toString(), images.toUri().toString(), images.toString(), "is the folder of images"},
            {huge.toString(), images.toString(), tmp.resolve("out").toString(), "larger than an ONNX protobuf can be"},
            {tmp.resolve("nope.onnx").toString(), images.toString(), tmp.resolve("out2").toString(),
                tmp.resolve("nope.onnx") + ": "}};
        for (String[] c : cases) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream saved = System.err;
            int rc;
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                rc = SparkAuditMain.run(c[0], "--images", c[1], "--layer", LAYER, "--master", "local[1]", "-o", c[2]);
            } finally {
                System.setErr(saved);
            }
            assertThat(rc).as(c[3]).isEqualTo(2);
            List<String> errorLines = err.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith("error:")).toList();
            assertThat(errorLines).hasSize(1);
            assertThat(errorLines.get(0)).contains(c[3]);
        }
        assertThat(images.resolve("topk.csv")).doesNotExist();
    }

    @Test
    void anUnknownLayerIsBadInputWithOneLine(@TempDir Path tmp) throws IOException {
        Path images = subset(tmp);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int rc;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            rc = SparkAuditMain.run(TestData.glyphNet().toString(), "--images", images.toString(), "--layer", "nope",
                    "--master", "local[1]", "-o", tmp.resolve("out").toString());
        } finally {
            System.setErr(saved);
        }
        assertThat(rc).isEqualTo(2);
        List<String> errorLines = err.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("error:")).toList();
        assertThat(errorLines).hasSize(1);
        assertThat(errorLines.get(0)).startsWith("error: " + TestData.glyphNet() + ": no layer 'nope'");
    }
}
