package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dnnvis.testdata.TestData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dnnvis audit} on GlyphNet and the reference glyphs: the tables, pictures, resume and bad files. */
class AuditCommandTest {

    private static final String GLYPHNET = TestData.glyphNet().toString();
    private static final Path IMAGES = TestData.auditReference().resolve("images");
    private static final String LAYERS = "/features/features.6/Relu_output_0,/features/features.10/Relu_output_0,"
            + "/features/features.16/Relu_output_0";

    @TempDir
    Path tmp;

    @Test
    void theReferenceTableThroughTheCli() throws IOException {
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("audit", GLYPHNET, "--images", IMAGES.toString(), "--layer", LAYERS, "--method", "none",
                "--labels-from", "prefix", "-q", "-o", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("audited 260 images (0 skipped)");
        List<String[]> expected = rows(TestData.auditReference().resolve("topk.csv"));
        List<String[]> ours = rows(out.resolve("topk.csv"));
        assertThat(Files.readAllLines(out.resolve("topk.csv")).get(0))
                .isEqualTo("layer,unit,rank,image,y,x,activation,y0,x0,y1,x1");
        assertThat(ours).hasSameSizeAs(expected);
        Map<String, String[]> byKey = new HashMap<>();
        ours.forEach(r -> byKey.put(r[0] + "," + r[1] + "," + r[2], r));
        for (String[] e : expected) {
            String[] r = byKey.get(e[0] + "," + e[1] + "," + e[2]);
            String where = String.join(",", e);
            assertThat(r).as(where).isNotNull();
            for (int c : new int[] {3, 4, 5, 7, 8, 9, 10}) {
                assertThat(r[c]).as(where).isEqualTo(e[c]);
            }
            double want = Double.parseDouble(e[6]);
            assertThat(Double.parseDouble(r[6])).as(where).isCloseTo(want, Offset.offset(1e-4 * Math.max(1, want)));
            assertThat(r[6]).as("%.6f").matches("\\d+\\.\\d{6}");
        }
        List<String> predictions = Files.readAllLines(out.resolve("predictions.csv"));
        assertThat(predictions.get(0)).isEqualTo("image,predicted,label,score,true");
        assertThat(predictions).hasSize(261);
        assertThat(predictions.get(1)).startsWith("A-23-000.png,").endsWith(",A");
        assertThat(Files.readAllLines(out.resolve("skipped.csv"))).containsExactly("file,reason");
        JsonNode json = JsonMapper.builder().build().readTree(out.resolve("audit.json").toFile());
        assertThat(json.get("images").asInt()).isEqualTo(260);
        assertThat(json.get("top").asInt()).isEqualTo(9);
        assertThat(json.get("method").asText()).isEqualTo("none");
        assertThat(json.get("preprocessing").asText()).isEqualTo(
                io.dnnvis.methods.image.Preprocessing.fromMetadata(
                        io.dnnvis.onnx.OnnxModel.load(TestData.glyphNet()).metadata()).orElseThrow().label());
        assertThat(json.get("model_sha256").asText()).hasSize(64);
        assertThat(json.get("labels_from").asText()).isEqualTo("prefix");
        assertThat(json.get("layers")).hasSize(3);
        assertThat(json.get("layers").get(0).get("alias").asText()).isEqualTo("relu2");
        assertThat(json.get("layers").get(0).get("folder").asText()).isEqualTo("relu2");
        assertThat(json.get("layers").get(0).get("units").asInt()).isEqualTo(64);
        assertThat(out.resolve(AuditCommand.CHECKPOINT)).doesNotExist();
        assertThat(out.resolve("patches/relu2/u0_r1.png")).exists();
        assertThat(out.resolve("recon")).doesNotExist();
        // the report, from the files above: an index linking a page per layer and the classes page
        String index = Files.readString(out.resolve("index.html"));
        for (JsonNode layer : json.get("layers")) {
            String page = "layer-" + layer.get("folder").asText() + ".html";
            assertThat(index).contains("href=\"" + page + "\"");
            assertThat(Files.readString(out.resolve(page))).contains("u0_r1.png");
        }
        assertThat(index).contains("href=\"classes.html\"");
        assertThat(out.resolve("classes.html")).exists();
    }

    @Test
    void patchesAreTheReceptiveFieldsAndReconstructionsMatchThem() throws IOException {
        Path images = copyImages(12);
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5", "--top", "2",
                "-q", "-o", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        List<String[]> rows = rows(out.resolve("topk.csv"));
        assertThat(rows).hasSize(64 * 2);
        for (String[] r : rows.subList(0, 6)) {
            String name = "u" + r[1] + "_r" + r[2] + ".png";
            BufferedImage patch = ImageIO.read(out.resolve("patches/relu5/" + name).toFile());
            BufferedImage recon = ImageIO.read(out.resolve("recon/relu5/" + name).toFile());
            int y0 = Integer.parseInt(r[7]);
            int x0 = Integer.parseInt(r[8]);
            int h = Integer.parseInt(r[9]) - y0 + 1;
            int w = Integer.parseInt(r[10]) - x0 + 1;
            int factor = (96 + Math.max(h, w) - 1) / Math.max(h, w);
            assertThat(patch.getWidth()).isEqualTo(w * factor);
            assertThat(patch.getHeight()).isEqualTo(h * factor);
            assertThat(Math.max(patch.getWidth(), patch.getHeight())).isGreaterThanOrEqualTo(96);
            assertThat(recon.getWidth()).isEqualTo(patch.getWidth());
            assertThat(recon.getHeight()).isEqualTo(patch.getHeight());
            BufferedImage source = ImageIO.read(images.resolve(r[3]).toFile());
            assertThat(patch.getRGB(w * factor - 1, h * factor - 1) & 0xffffff)
                    .isEqualTo(source.getRGB(x0 + w - 1, y0 + h - 1) & 0xffffff);
            assertThat(patch.getRGB(0, 0) & 0xffffff).isEqualTo(source.getRGB(x0, y0) & 0xffffff);
            assertThat(distinctColours(recon)).as("a reconstruction, not a flat picture").isGreaterThan(8);
        }
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOne() throws IOException {
        Path images = copyImages(45);
        Path full = tmp.resolve("full");
        String[] common = {"audit", GLYPHNET, "--images", images.toString(), "--layer", "relu2,relu5", "--top", "3",
            "--method", "none", "--batch", "4", "--checkpoint-every", "8", "--labels-from", "prefix", "-q"};
        CliRun whole = CliRun.of(concat(common, "-o", full.toString()));
        assertThat(whole.code()).as(whole.err()).isZero();

        Path resumed = tmp.resolve("resumed");
        CliRun stopped;
        System.setProperty(AuditCommand.STOP_AFTER_PROPERTY, "20");
        try {
            stopped = CliRun.of(concat(common, "-o", resumed.toString()));
        } finally {
            System.clearProperty(AuditCommand.STOP_AFTER_PROPERTY);
        }
        assertThat(stopped.code()).isEqualTo(1);
        assertThat(stopped.err()).contains("stopped after 20 images");
        assertThat(resumed.resolve(AuditCommand.CHECKPOINT)).exists();
        assertThat(resumed.resolve("topk.csv")).doesNotExist();

        CliRun again = CliRun.of(concat(common, "-o", resumed.toString()));
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.oneErrorLine()).isTrue();
        assertThat(again.err()).contains("--resume");

        CliRun rest = CliRun.of(concat(common, "-o", resumed.toString(), "--resume"));
        assertThat(rest.code()).as(rest.err() + rest.out()).isZero();
        assertThat(rest.out()).contains("audited 45 images").contains(", 20 from the checkpoint)");
        assertThat(whole.out()).doesNotContain("from the checkpoint");
        for (String table : new String[] {"topk.csv", "predictions.csv", "skipped.csv"}) {
            assertThat(Files.readAllBytes(resumed.resolve(table))).as(table)
                    .isEqualTo(Files.readAllBytes(full.resolve(table)));
        }
        assertThat(resumed.resolve(AuditCommand.CHECKPOINT)).doesNotExist();

        CliRun done = CliRun.of(concat(common, "-o", resumed.toString(), "--resume"));
        assertThat(done.code()).isZero();
        assertThat(done.out()).contains("complete");

        System.setProperty(AuditCommand.STOP_AFTER_PROPERTY, "8");
        try {
            assertThat(CliRun.of(concat(common, "-o", tmp.resolve("changed").toString())).code()).isEqualTo(1);
        } finally {
            System.clearProperty(AuditCommand.STOP_AFTER_PROPERTY);
        }
        String[] otherTop = common.clone();
        otherTop[java.util.Arrays.asList(common).indexOf("--top") + 1] = "4";
        CliRun changed = CliRun.of(concat(otherTop, "-o", tmp.resolve("changed").toString(), "--resume"));
        assertThat(changed.code()).isEqualTo(2);
        assertThat(changed.oneErrorLine()).isTrue();
        assertThat(changed.err()).contains("other settings");
    }

    @Test
    void anOutputFolderInsideTheAuditedOneIsNotAudited() throws IOException {
        Path images = copyImages(6);
        Path out = images.resolve("out");
        String[] args = {"audit", GLYPHNET, "--images", images.toString(), "--recursive", "--layer", "relu5", "--top",
            "2", "--method", "none", "--batch", "2", "--checkpoint-every", "2", "-q", "-o", out.toString()};
        System.setProperty(AuditCommand.STOP_AFTER_PROPERTY, "4");
        try {
            assertThat(CliRun.of(args).code()).isEqualTo(1);
        } finally {
            System.clearProperty(AuditCommand.STOP_AFTER_PROPERTY);
        }
        CliRun resumed = CliRun.of(concat(args, "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("audited 6 images (0 skipped)");
        assertThat(Files.readAllLines(out.resolve("predictions.csv"))).hasSize(7).noneMatch(l -> l.startsWith("out/"));
    }

    @Test
    void badFilesAreSkippedAndListedAndTheRunGoesOn() throws IOException {
        Path images = copyImages(5);
        Files.writeString(images.resolve("notes.txt"), "not an image\n");
        byte[] png = Files.readAllBytes(images.resolve("A-23-000.png"));
        Files.write(images.resolve("B-truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));
        Files.write(images.resolve("C-huge.png"), hugeHeaderPng(60_000, 60_000));
        Path sub = Files.createDirectories(images.resolve("sub"));
        Files.copy(images.resolve("A-23-000.png"), sub.resolve("D-inner.png"));
        Files.createSymbolicLink(sub.resolve("loop"), images);
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--recursive", "--layer", "relu5",
                "--top", "2", "--method", "none", "-q", "-o", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("audited 6 images (4 skipped)");
        List<String> skipped = Files.readAllLines(out.resolve("skipped.csv"));
        assertThat(skipped.get(0)).isEqualTo("file,reason");
        assertThat(skipped).hasSize(5);
        assertThat(skipped.get(1)).startsWith("B-truncated.png,").contains("cannot decode");
        assertThat(skipped.get(2)).startsWith("C-huge.png,").contains("60000x60000").contains("larger than the limit");
        assertThat(skipped.get(3)).startsWith("notes.txt,");
        assertThat(skipped.get(4)).isEqualTo("sub/loop,symbolic link loop");
        List<String> predicted = Files.readAllLines(out.resolve("predictions.csv"));
        assertThat(predicted).hasSize(7).anyMatch(l -> l.startsWith("sub/D-inner.png,"));
        JsonNode json = JsonMapper.builder().build().readTree(out.resolve("audit.json").toFile());
        assertThat(json.get("skipped").asInt()).isEqualTo(4);
    }

    @Test
    void userErrorsAreOneLineWithExitCode2() throws IOException {
        Path images = copyImages(2);
        CliRun noLayer = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "conv99", "-q", "-o",
                tmp.resolve("a").toString());
        assertThat(noLayer.code()).isEqualTo(2);
        assertThat(noLayer.oneErrorLine()).isTrue();
        assertThat(tmp.resolve("a")).doesNotExist();
        CliRun noTop = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5", "--top", "0",
                "-q", "-o", tmp.resolve("b").toString());
        assertThat(noTop.code()).isEqualTo(2);
        assertThat(noTop.oneErrorLine()).isTrue();
        CliRun noFolder = CliRun.of("audit", GLYPHNET, "--images", tmp.resolve("none").toString(), "--layer", "relu5",
                "-q", "-o", tmp.resolve("c").toString());
        assertThat(noFolder.code()).isEqualTo(2);
        assertThat(noFolder.err()).contains("folder not found");
        CliRun method = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5", "--method",
                "magic", "-q", "-o", tmp.resolve("d").toString());
        assertThat(method.code()).isEqualTo(2);
        assertThat(method.oneErrorLine()).isTrue();
        // an --input-size the model's fixed input cannot take: refused before any image is read
        CliRun size = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5",
                "--input-size", "32x32", "-q", "-o", tmp.resolve("e").toString());
        assertThat(size.code()).isEqualTo(2);
        assertThat(size.oneErrorLine()).isTrue();
        assertThat(size.err()).contains("fixed height of 64").contains("--input-size 32x32");
        assertThat(tmp.resolve("e")).doesNotExist();
    }

    /**
     * A method whose backward net meets an op without a rule is refused before the pass over the
     * images, with nothing written: the pictures come after it, and the refusal used to leave an
     * output folder that only --resume would take.
     */
    @Test
    void aMethodWithoutARuleOnTheWayIsRefusedBeforeAnyOutput() throws IOException {
        Path images = copyImages(2);
        io.dnnvis.modelbuild.ModelBuilder b = io.dnnvis.modelbuild.ModelBuilder.create(13);
        String conv = b.conv(b.input("image", 1, 3, 64, 64), 3, 4, 3, 1, 1, 1, new java.util.Random(2));
        b.output(b.relu(b.node("Sin", List.of(conv))));
        Path model = tmp.resolve("sine.onnx");
        b.write(model);
        CliRun refused = CliRun.of("audit", model.toString(), "--images", images.toString(), "--layer", "relu1",
                "--method", "salinet", "-q", "-o", tmp.resolve("a").toString());
        assertThat(refused.code()).as(refused.err()).isEqualTo(2);
        assertThat(refused.oneErrorLine()).isTrue();
        assertThat(refused.err()).contains("Sin");
        assertThat(tmp.resolve("a")).doesNotExist();
        CliRun none = CliRun.of("audit", model.toString(), "--images", images.toString(), "--layer", "relu1",
                "--method", "none", "-q", "-o", tmp.resolve("b").toString());
        assertThat(none.code()).as(none.err()).isZero();
    }

    @Test
    void anOutputFolderThatHoldsAnAuditIsNotOverwritten() throws IOException {
        Path images = copyImages(2);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("topk.csv"), "mine\n");
        CliRun run = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5", "-q", "-o",
                out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.oneErrorLine()).isTrue();
        assertThat(run.err()).contains(out.toString()).contains("--resume");
        assertThat(Files.readString(out.resolve("topk.csv"))).isEqualTo("mine\n");
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).hasSize(1);
        }
    }

    private Path copyImages(int count) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        try (Stream<Path> all = Files.list(IMAGES)) {
            // every 7th glyph: several letters, sorted names
            List<Path> chosen = all.sorted().filter(p -> p.getFileName().toString().endsWith("0.png")
                    || p.getFileName().toString().endsWith("5.png")).limit(count).toList();
            for (Path p : chosen) {
                Files.copy(p, dir.resolve(p.getFileName().toString()));
            }
            assertThat(chosen).hasSize(count);
        }
        return dir;
    }

    private static List<String[]> rows(Path csv) throws IOException {
        return Files.readAllLines(csv).stream().skip(1).map(l -> l.split(",")).toList();
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    private static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }

    /** A PNG whose header declares {@code width x height} pixels, with no pixel data. */
    private static byte[] hugeHeaderPng(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        d.writeInt(width);
        d.writeInt(height);
        d.write(new byte[] {8, 2, 0, 0, 0});
        byte[] chunk = ihdr.toByteArray();
        out.writeInt(chunk.length - 4);
        out.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        out.writeInt((int) crc.getValue());
        out.writeInt(0);
        out.write("IEND".getBytes(StandardCharsets.US_ASCII));
        CRC32 end = new CRC32();
        end.update("IEND".getBytes(StandardCharsets.US_ASCII));
        out.writeInt((int) end.getValue());
        return bytes.toByteArray();
    }
}
