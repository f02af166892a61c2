package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code dnnvis audit} does with its output folder and with odd values: --resume never mixes two
 * audits or overwrites what it did not make, one run at a time writes into a folder, the folder of
 * images is not an output folder, and values too large for memory are capped or refused in one line.
 */
class AuditOutputFolderTest {

    private static final String GLYPHNET = TestData.glyphNet().toString();

    @TempDir
    Path tmp;

    private Path images(int count) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        try (Stream<Path> all = Files.list(TestData.auditReference().resolve("images"))) {
            for (Path p : all.sorted().filter(p -> p.getFileName().toString().endsWith("1.png")).limit(count).toList()) {
                Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        return dir;
    }

    private CliRun audit(Path images, Path out, String... more) {
        String[] base = {"audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5", "--top", "2",
            "--method", "none", "-q", "-o", out.toString()};
        return CliRun.of(Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new));
    }

    @Test
    void resumeWithoutACheckpointLeavesOtherFilesAlone() throws IOException {
        Path images = images(3);
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("index.html"), "mine\n");
        Files.writeString(out.resolve("topk.csv"), "mine\n");
        CliRun run = audit(images, out, "--resume");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err()).contains("no checkpoint");
        assertThat(Files.readString(out.resolve("topk.csv"))).isEqualTo("mine\n");
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).hasSize(2);
        }
    }

    @Test
    void aCompleteAuditIsResumedOnlyWithItsOwnSettings() throws IOException {
        Path images = images(3);
        Path out = tmp.resolve("out");
        assertThat(audit(images, out).code()).isZero();
        CliRun same = audit(images, out, "--resume");
        assertThat(same.code()).isZero();
        assertThat(same.out()).contains("complete");
        CliRun other = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu2", "--top", "2",
                "--method", "none", "-q", "-o", out.toString(), "--resume");
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.oneErrorLine()).as(other.err()).isTrue();
        assertThat(other.err()).contains("other settings");
        assertThat(out.resolve("patches").resolve("relu2")).doesNotExist();
        assertThat(out.resolve(OutputLock.NAME)).as("the lock goes with the run").doesNotExist();
    }

    @Test
    void aCheckpointMadeWithAnotherPixelLimitIsNamed() throws IOException {
        Path images = images(6);
        Path out = tmp.resolve("out");
        System.setProperty(AuditCommand.STOP_AFTER_PROPERTY, "2");
        try {
            assertThat(audit(images, out, "--batch", "2", "--checkpoint-every", "2", "--max-pixels", "100000")
                    .code()).isEqualTo(1);
        } finally {
            System.clearProperty(AuditCommand.STOP_AFTER_PROPERTY);
        }
        CliRun resumed = audit(images, out, "--batch", "2", "--checkpoint-every", "2", "--resume");
        assertThat(resumed.code()).isEqualTo(2);
        assertThat(resumed.oneErrorLine()).as(resumed.err()).isTrue();
        assertThat(resumed.err()).contains("max-pixels: 100000 in the checkpoint");
    }

    @Test
    void anotherRunWritingIntoTheFolderIsRefused() throws IOException {
        Path images = images(2);
        Path out = Files.createDirectories(tmp.resolve("busy"));
        try (OutputLock held = OutputLock.take(out)) {
            CliRun run = audit(images, out);
            assertThat(run.code()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err()).contains("another run");
        }
        assertThat(audit(images, out).code()).as("free again").isZero();
    }

    @Test
    void theFolderOfImagesAndEmptyPathsAreRefused() throws IOException {
        Path images = images(2);
        for (CliRun run : List.of(audit(images, images), audit(images, images.resolve("."), "--recursive"))) {
            assertThat(run.code()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err()).contains("is the folder of images");
        }
        CliRun noOut = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5", "-q", "-o", "");
        assertThat(noOut.code()).isEqualTo(2);
        assertThat(noOut.err()).contains("empty");
        CliRun noImages = CliRun.of("audit", GLYPHNET, "--images", "", "--layer", "relu5", "-q", "-o",
                tmp.resolve("x").toString());
        assertThat(noImages.code()).isEqualTo(2);
        assertThat(noImages.err()).contains("--images");
        CliRun pixels = audit(images, tmp.resolve("y"), "--max-pixels", "0");
        assertThat(pixels.code()).isEqualTo(2);
        assertThat(pixels.err()).contains("must be positive");
        try (Stream<Path> left = Files.list(images)) {
            assertThat(left).as("nothing written among the images").hasSize(2);
        }
    }

    @Test
    void aTopOrBatchTooLargeForMemoryIsRefusedInOneLine() throws IOException {
        Path images = images(3);
        for (String[] option : new String[][] {{"--top", "2147483647"}, {"--batch", "2147483647"},
            {"--threads", "100000"}}) {
            Path out = tmp.resolve("out" + option[0]);
            CliRun run = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5", "--method",
                    "none", "-q", "-o", out.toString(), option[0], option[1]);
            assertThat(run.code()).as(option[0]).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err()).as(option[0]).containsAnyOf("ask for fewer", "give a smaller batch", "must be 0 to");
            assertThat(out).as("no output folder left").doesNotExist();
        }
        Path out = tmp.resolve("many");
        CliRun run = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5", "--method",
                "none", "-q", "-o", out.toString(), "--top", "50");
        assertThat(run.code()).as(run.err()).isZero();
        // every unit ranks the 3 images there are (each image once per unit)
        assertThat(Files.readAllLines(out.resolve("topk.csv")).stream().skip(1)
                .filter(l -> l.split(",")[1].equals("0"))).hasSize(3);
    }

    @Test
    void reportPagesAndAFoundLockFileAreNotTheRunsToReplace() throws IOException {
        Path images = images(2);
        for (String page : List.of("classes.html", "layer-relu5.html")) {
            Path out = Files.createDirectories(tmp.resolve("with-" + page));
            Files.writeString(out.resolve(page), "mine\n");
            CliRun run = audit(images, out);
            assertThat(run.code()).as(page).isEqualTo(2);
            assertThat(run.err()).contains("holds an audit already (" + page + ")");
            assertThat(Files.readString(out.resolve(page))).isEqualTo("mine\n");
        }
        Path out = Files.createDirectories(tmp.resolve("locked"));
        Files.writeString(out.resolve(OutputLock.NAME), "mine\n");
        assertThat(audit(images, out).code()).isZero();
        assertThat(out.resolve(OutputLock.NAME)).as("found, so left").hasContent("mine");
    }

    @Test
    void aFifoWhereTheLockOrCheckpointGoesIsRefusedNotOpened() throws Exception {
        Path images = images(2);
        for (String name : List.of(OutputLock.NAME, AuditCommand.CHECKPOINT)) {
            Path out = Files.createDirectories(tmp.resolve("fifo" + name));
            Process mkfifo = new ProcessBuilder("mkfifo", out.resolve(name).toString()).start();
            org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is available");
            CliRun run = audit(images, out, "--resume");
            assertThat(run.code()).as(name).isEqualTo(2);
            assertThat(run.err()).contains(name).contains("not a regular file");
        }
    }

    @Test
    void resumingWithoutAMethodRemovesTheReconstructionsOfAnEarlierTry() throws IOException {
        Path images = images(4);
        Path out = tmp.resolve("out");
        String[] args = {"--batch", "2", "--checkpoint-every", "2"};
        System.setProperty(AuditCommand.STOP_AFTER_PROPERTY, "2");
        try {
            assertThat(audit(images, out, args).code()).isEqualTo(1);
        } finally {
            System.clearProperty(AuditCommand.STOP_AFTER_PROPERTY);
        }
        // as a try with --method deconvnet, killed while drawing, leaves them
        Path stale = Files.createDirectories(out.resolve("recon").resolve("relu5")).resolve("u0_r1.png");
        Files.writeString(stale, "old");
        CliRun resumed = audit(images, out, "--batch", "2", "--checkpoint-every", "2", "--resume");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(out.resolve("recon")).doesNotExist();
        assertThat(out.resolve("patches").resolve("relu5")).isNotEmptyDirectory();
    }

    @Test
    void anImageModifiedWhileTheAuditRanGetsNoPicturesAndAWarning() throws IOException {
        Path images = images(3);
        Path later = images.resolve(Files.list(images).sorted().toList().get(1).getFileName());
        Files.setLastModifiedTime(later, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().plusSeconds(3600)));
        Path out = tmp.resolve("out");
        CliRun run = audit(images, out);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("warning: " + later).contains("while the audit ran");
        List<String> rows = Files.readAllLines(out.resolve("topk.csv")).stream().skip(1).toList();
        String name = later.getFileName().toString();
        assertThat(rows).as("the tables keep its rows").anyMatch(l -> l.split(",")[3].equals(name));
        for (String row : rows) {
            String[] f = row.split(",");
            Path patch = out.resolve("patches").resolve("relu5").resolve("u" + f[1] + "_r" + f[2] + ".png");
            assertThat(Files.exists(patch)).as(row).isEqualTo(!f[3].equals(name));
        }
    }
}
