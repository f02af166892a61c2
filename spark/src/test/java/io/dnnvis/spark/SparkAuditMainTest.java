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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark audit's command line writes what 'dnnvis audit' writes, with the same top table. */
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
        return folder;
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
        int spark = SparkAuditMain.run(model, "--images", images.toString(), "--layer", LAYER, "--top", "3",
                "--labels-from", "prefix", "--master", "local[2]", "-q", "-o", tmp.resolve("spark").toString());
        assertThat(spark).isZero();
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
        // the same pictures: a patch and a reconstruction for every row
        String folder = "features.10";
        try (var patches = Files.list(tmp.resolve("local/patches"))) {
            folder = patches.findFirst().orElseThrow().getFileName().toString();
        }
        try (var a = Files.list(out.resolve("patches").resolve(folder));
                var b = Files.list(out.resolve("recon").resolve(folder))) {
            assertThat(a.count()).isEqualTo(expected.size() - 1);
            assertThat(b.count()).isEqualTo(expected.size() - 1);
        }
        assertThat(Files.readString(out.resolve("audit.json"))).containsPattern("\"method\"\\s*:\\s*\"deconvnet\"")
                .containsPattern("\"images\"\\s*:\\s*29\\b");
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
        assertThat(errorLines.get(0)).contains("nope");
    }
}
