package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.build.OnnxProtos;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs that are not {@code [N, K]}: a classifier's {@code [N, K, 1, 1]} (Caffe's, and the converters'
 * that keep its axes) is read as classes; the audit's predictions of a segmentation output
 * {@code [N, K, H, W]} and a sequence output {@code [N, T, K]} are per image what {@code predict} says
 * of that image alone (the audit reads them from batches of images); a channels-last segmentation
 * output {@code [N, H, W, K]} and a time-major sequence output {@code [T, N, K]} read as their twins
 * laid out the usual way.
 */
class OutputKindsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aClassVectorWithUnitAxesIsReadAsClasses() throws IOException {
        Path x = RandomInputs.uniform(dir.resolve("x.npy"), new Random(3), 1, 3, 8, 8);
        List<String> printed = new ArrayList<>();
        for (boolean flatten : new boolean[] {false, true}) {
            ModelBuilder b = ModelBuilder.create(13);
            String pooled = b.globalAvgPool(b.relu(b.conv(b.input("x", 1, 3, 8, 8), 3, 6, 3, 1, 1, 1, new Random(1))));
            b.output(flatten ? b.flatten(pooled, 1) : pooled);
            Path model = dir.resolve("classes-" + flatten + ".onnx");
            b.write(model);
            CliRun run = CliRun.of("predict", model.toString(), "--input-npy", x.toString(), "--top", "6");
            assertThat(run.code()).as(run.err()).isZero();
            printed.add(run.out().lines().skip(1).toList().toString()); // the first line names the output
        }
        assertThat(printed.get(0)).contains("(class ").isEqualTo(printed.get(1));
    }

    @Test
    void theAuditReadsASegmentationOutputImageByImage() throws IOException {
        ModelBuilder b = ModelBuilder.create(13);
        b.output(b.conv(b.relu(b.conv(b.input("x", 1, 3, 8, 16), 3, 6, 3, 1, 1, 1, new Random(4))), 6, 4, 3, 1, 1, 1,
                new Random(5)));
        Path model = dir.resolve("segmentation.onnx");
        b.write(model);
        for (Audited row : audited(model)) {
            JsonNode first = row.predict().get("classes").get(0);
            assertThat(row.fields()[1]).as(row.fields()[0]).isEqualTo(first.get("index").asText());
            assertThat(Double.parseDouble(row.fields()[3])).as(row.fields()[0])
                    .isCloseTo(first.get("share").asDouble(), within(1e-5));
        }
    }

    @Test
    void theAuditReadsASequenceOutputImageByImage() throws IOException {
        ModelBuilder b = ModelBuilder.create(13);
        String features = b.relu(b.conv(b.input("x", 1, 3, 8, 16), 3, 5, 3, 1, 1, 1, new Random(6)));
        String columns = b.node("ReduceMean", List.of(features), OnnxProtos.intsAttr("axes", 2),
                OnnxProtos.intAttr("keepdims", 0)); // [1, 5, 16]
        b.output(b.node("Transpose", List.of(columns), OnnxProtos.intsAttr("perm", 0, 2, 1))); // [1, T=16, K=5]
        Path model = dir.resolve("sequence.onnx");
        b.write(model);
        List<Audited> rows = audited(model);
        for (Audited row : rows) {
            List<String> decoded = new ArrayList<>();
            row.predict().get("greedyCtcLabels").forEach(n -> decoded.add(n.asText()));
            assertThat(row.fields()[1]).as(row.fields()[0]).isEqualTo("-1");
            assertThat(row.fields()[2]).as(row.fields()[0]).isEqualTo(String.join(" ", decoded));
        }
        assertThat(rows.stream().map(r -> r.fields()[2]).distinct().count()).as("different images read differently")
                .isGreaterThan(1);
    }

    @Test
    void aChannelsLastSegmentationIsReadAsItsClassFirstTwin() throws IOException {
        Path[] twins = new Path[2];
        for (int last = 0; last < 2; last++) {
            ModelBuilder b = ModelBuilder.create(13);
            String scores = b.conv(b.relu(b.conv(b.input("x", 1, 3, 8, 16), 3, 6, 3, 1, 1, 1, new Random(4))), 6, 4, 3, 1,
                    1, 1, new Random(5)); // [1, 4, 8, 16]
            b.output(last == 1 ? b.node("Transpose", List.of(scores), OnnxProtos.intsAttr("perm", 0, 2, 3, 1)) : scores);
            twins[last] = dir.resolve("segmentation-" + last + ".onnx");
            b.write(twins[last]);
        }
        assertSameReading(twins, "classes");
    }

    @Test
    void aTimeMajorSequenceIsReadAsItsBatchMajorTwin() throws IOException {
        Path[] twins = new Path[2];
        for (int timeMajor = 0; timeMajor < 2; timeMajor++) {
            ModelBuilder b = ModelBuilder.create(13);
            String features = b.relu(b.conv(b.input("x", 1, 3, 8, 16), 3, 5, 3, 1, 1, 1, new Random(6)));
            String columns = b.node("ReduceMean", List.of(features), OnnxProtos.intsAttr("axes", 2),
                    OnnxProtos.intAttr("keepdims", 0)); // [1, 5, 16]
            b.output(b.node("Transpose", List.of(columns), OnnxProtos.intsAttr("perm",
                    timeMajor == 1 ? new long[] {2, 0, 1} : new long[] {0, 2, 1}))); // [T, 1, K] or [1, T, K]
            twins[timeMajor] = dir.resolve("sequence-" + timeMajor + ".onnx");
            b.write(twins[timeMajor]);
        }
        assertSameReading(twins, "steps", "greedyCtc");
    }

    /**
     * Two models whose outputs hold the same scores in other layouts: {@code predict --json} gives the
     * same {@code fields} for each image, and the audit the same predictions.csv (read in batches of two).
     */
    private void assertSameReading(Path[] twins, String... fields) throws IOException {
        Path images = images();
        List<List<String>> tables = new ArrayList<>();
        for (Path model : twins) {
            Path out = dir.resolve("audit-" + model.getFileName());
            CliRun audit = CliRun.of("audit", model.toString(), "--images", images.toString(), "--layer", "conv1",
                    "--method", "none", "--batch", "2", "-q", "-o", out.toString());
            assertThat(audit.code()).as(audit.err()).isZero();
            tables.add(Files.readAllLines(out.resolve("predictions.csv")));
        }
        assertThat(tables.get(1)).hasSize(6).isEqualTo(tables.get(0));
        for (int n = 0; n < 5; n++) {
            List<JsonNode> read = new ArrayList<>();
            for (Path model : twins) {
                CliRun predict = CliRun.of("predict", model.toString(), "--image", images.resolve("img" + n + ".png")
                        .toString(), "--json");
                assertThat(predict.code()).as(predict.err()).isZero();
                read.add(JSON.readTree(predict.out()));
            }
            for (String field : fields) {
                assertThat(read.get(0).get(field)).as("img%d %s", n, field).isNotNull();
                assertThat(read.get(1).get(field)).as("img%d %s", n, field).isEqualTo(read.get(0).get(field));
            }
        }
    }

    /**
     * An output that holds no class scores predictions can read ({@code [1, 5, 8, 16]} reshaped to
     * {@code [5, 8, 16]}: no axis of size 1 for the image): the layers are audited all the same, each
     * image predicted -1 with no label and a NaN score, and the report reads that table back.
     */
    @Test
    void theAuditGoesOnWhereTheOutputHoldsNoClasses() throws IOException {
        ModelBuilder b = ModelBuilder.create(13);
        String features = b.relu(b.conv(b.input("x", 1, 3, 8, 16), 3, 5, 3, 1, 1, 1, new Random(6)));
        b.output(b.reshape(features, 5, 8, 16));
        Path model = dir.resolve("unread.onnx");
        b.write(model);
        Path out = dir.resolve("audit-unread");
        CliRun audit = CliRun.of("audit", model.toString(), "--images", images().toString(), "--layer", "relu1",
                "--method", "none", "--labels-from", "prefix", "-q", "-o", out.toString());
        assertThat(audit.code()).as(audit.err()).isZero();
        List<String> lines = Files.readAllLines(out.resolve("predictions.csv"));
        assertThat(lines).hasSize(6);
        for (String line : lines.subList(1, lines.size())) {
            assertThat(line).matches("img\\d\\.png,-1,,NaN,img\\d");
        }
        assertThat(Files.readString(out.resolve("index.html"))).contains("holds no classes to compare")
                .doesNotContain("Accuracy:");
    }

    /** An activation or score that overflows to infinity is written and read back (the report is made from the tables). */
    @Test
    void infiniteActivationsAreWrittenAndReadBack() throws IOException {
        ModelBuilder b = ModelBuilder.create(13);
        String rectified = b.relu(b.conv(b.input("x", 1, 3, 8, 16), 3, 4, 3, 1, 1, 1, new Random(8)));
        b.output(b.node("Reciprocal", List.of(rectified))); // 1/0 where the Relu cuts: +Infinity
        Path model = dir.resolve("infinite.onnx");
        b.write(model);
        Path out = dir.resolve("audit-infinite");
        CliRun audit = CliRun.of("audit", model.toString(), "--images", images().toString(), "--layer",
                "reciprocal1", "--method", "none", "-q", "-o", out.toString());
        assertThat(audit.code()).as(audit.err()).isZero();
        assertThat(Files.readString(out.resolve("topk.csv"))).contains(",Infinity,");
        assertThat(out.resolve("layer-reciprocal1.html")).exists();
    }

    /** A row of predictions.csv and what {@code predict --json} says of its image alone. */
    private record Audited(String[] fields, JsonNode predict) {
    }

    /**
     * Audits five images with {@code model} in batches of two; each row of predictions.csv (no field
     * of these holds a comma or a quote) with {@code predict --json} of its image.
     */
    private List<Audited> audited(Path model) throws IOException {
        Path images = images();
        Path out = dir.resolve("audit-" + model.getFileName());
        CliRun audit = CliRun.of("audit", model.toString(), "--images", images.toString(), "--layer", "conv1",
                "--method", "none", "--batch", "2", "-q", "-o", out.toString());
        assertThat(audit.code()).as(audit.err()).isZero();
        List<String> lines = Files.readAllLines(out.resolve("predictions.csv"));
        assertThat(lines).as("the header and a row per image").hasSize(6);
        List<Audited> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            CliRun predict = CliRun.of("predict", model.toString(), "--image", images.resolve(fields[0]).toString(),
                    "--json");
            assertThat(predict.code()).as(predict.err()).isZero();
            rows.add(new Audited(fields, JSON.readTree(predict.out())));
        }
        return rows;
    }

    /** Five random 32x64 pictures, of which every second is mostly one colour: different images, different outputs. */
    private Path images() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("images"));
        Random r = new Random(7);
        for (int n = 0; n < 5; n++) {
            BufferedImage image = new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB);
            int base = r.nextInt(0x1000000);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 64; x++) {
                    image.setRGB(x, y, n % 2 == 0 ? r.nextInt(0x1000000) : base ^ r.nextInt(0x10));
                }
            }
            ImageIO.write(image, "png", folder.resolve("img" + n + ".png").toFile());
        }
        return folder;
    }
}
