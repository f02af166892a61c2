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
    void hugeTopAndBatchAreCappedAtTheImagesThereAre() throws IOException {
        Path images = images(3);
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("audit", GLYPHNET, "--images", images.toString(), "--layer", "relu5", "--top",
                "2147483647", "--batch", "2147483647", "--method", "none", "-q", "-o", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        List<String> top = Files.readAllLines(out.resolve("topk.csv"));
        // every unit ranks the 3 images (each image once per unit)
        assertThat(top.stream().skip(1).filter(l -> l.split(",")[1].equals("0"))).hasSize(3);
    }
}
