package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dnnvis.testdata.TestData;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs that are not regular files (FIFOs, devices, links to them) are refused and never replaced;
 * output folders below a symbolic link are refused; odd paths fail with one line naming the user's path.
 */
class SpecialOutputFilesTest {

    private static final String LENET = TestData.referenceModel("lenet").toString();
    private static final String LENET_INPUT = TestData.referenceInput("lenet").toString();

    @TempDir
    Path dir;

    @Test
    void aFifoIsNeitherReplacedNorWrittenInto() throws Exception {
        Path fifo = dir.resolve("out.npy");
        assumeTrue(mkfifo(fifo), "mkfifo is not available");
        for (CliRun run : List.of(visualize("--save-npy", fifo.toString()),
                occlusion("--save-npy", fifo.toString()))) {
            assertThat(run.code()).as(run.err()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err().strip()).isEqualTo("error: " + fifo
                    + ": not a regular file (a device, FIFO or socket); refusing to replace it");
            BasicFileAttributes a = Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertThat(a.isOther()).as("still a FIFO").isTrue();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(fifo);
        }
    }

    @Test
    void aLinkToACharacterDeviceIsRefused() throws Exception {
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull));
        Path npy = Files.createDirectory(dir.resolve("d")).resolve("x.npy");
        Files.createSymbolicLink(npy, devNull);
        CliRun run = visualize("--save-npy", npy.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("error: " + npy + ": is a symbolic link; refusing to write through it");
        assertThat(Files.isSymbolicLink(npy)).isTrue();
        assertThat(Files.readAttributes(devNull, BasicFileAttributes.class).isOther()).isTrue();
    }

    @Test
    void anOutputFolderBelowASymbolicLinkIsRefused() throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), elsewhere);
        Path out = link.resolve("new");
        CliRun run = visualize("-o", out.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("error: " + out + ": " + link
                + " is a symbolic link; refusing to follow it");
        assertThat(elsewhere).isEmptyDirectory();
        Path deeper = link.resolve("a/b");
        assertThat(visualize("-o", deeper.toString()).err().strip())
                .isEqualTo("error: " + deeper + ": " + link + " is a symbolic link; refusing to follow it");
        assertThat(elsewhere).isEmptyDirectory();
    }

    @Test
    void aSaveNpyFileBelowASymbolicLinkIsRefused() throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), elsewhere);
        Path npy = link.resolve("x.npy");
        for (CliRun run : List.of(visualize("--save-npy", npy.toString()), occlusion("--save-npy", npy.toString()))) {
            assertThat(run.code()).as(run.err()).isEqualTo(2);
            assertThat(run.oneErrorLine()).as(run.err()).isTrue();
            assertThat(run.err().strip()).isEqualTo("error: " + npy + ": " + link
                    + " is a symbolic link; refusing to follow it");
        }
        assertThat(elsewhere).isEmptyDirectory();
    }

    @Test
    void aDotDotThroughAnAbsentFolderIsRefusedBeforeCreatingAnything() throws Exception {
        Path out = Path.of(dir + "/absent/../b");
        CliRun run = visualize("-o", out.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err().strip()).isEqualTo("error: " + out + ": cannot create the output folder: "
                + dir.resolve("absent") + " does not exist (a '..' after it)");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aFolderThatTakesNoFilesIsNamedWithItsReason() throws Exception {
        Path proc = Path.of("/proc");
        assumeTrue(Files.isDirectory(proc));
        Path npy = proc.resolve("x.npy");
        CliRun run = visualize("--save-npy", npy.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err().strip()).startsWith("error: " + npy + ": ").doesNotContain(".tmp");
        assertThat(run.err().strip()).matches(".*(cannot create a file in /proc|permission denied|not writable).*");
    }

    private CliRun visualize(String... output) {
        return CliRun.of(concat(List.of("visualize", LENET, "--input-npy", LENET_INPUT, "--layer", "conv2",
                "--neuron", "1"), output));
    }

    private CliRun occlusion(String... output) {
        return CliRun.of(concat(List.of("occlusion", LENET, "--input-npy", LENET_INPUT, "--layer", "conv2",
                "--window", "5", "--stride", "8", "--quiet"), output));
    }

    private static String[] concat(List<String> head, String... tail) {
        return Stream.concat(head.stream(), Stream.of(tail)).toArray(String[]::new);
    }

    static boolean mkfifo(Path path) {
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
            return p.waitFor() == 0 && Files.exists(path);
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

}
