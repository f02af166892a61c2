package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.dnnvis.testdata.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output folders and files that cannot be written are refused before the run: exit code 2, one
 * line naming the path, nothing written. A regular file where a folder must go fails even for root;
 * read-only folders only for other users (skipped as root, who may write anywhere).
 */
class OutputFolderErrorsTest {

    private static final String LENET = TestData.referenceModel("lenet").toString();
    private static final String LENET_INPUT = TestData.referenceInput("lenet").toString();

    @TempDir
    Path dir;

    @Test
    void visualizeIntoAFolderBelowAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        Path out = file.resolve("pictures");
        CliRun run = visualize("-o", out.toString());
        assertRefused(run, out + ": cannot create the output folder: " + file + " is not a folder");
        assertThat(run.out()).isEmpty(); // refused before the model was even loaded
    }

    @Test
    void visualizeSaveNpyBelowAFileOrOntoAFolder() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        Path npy = file.resolve("r.npy");
        assertRefused(visualize("--save-npy", npy.toString()), npy + ": " + file + " is not a folder");
        Path folder = Files.createDirectory(dir.resolve("r.npy"));
        assertRefused(visualize("--save-npy", folder.toString()), folder + ": is a folder");
        assertThat(folder).isEmptyDirectory();
        // --method all writes FILE-deconvnet.npy, FILE-salinet.npy, FILE-desalinet.npy: each is checked
        Path salinet = Files.createDirectory(dir.resolve("m-salinet.npy"));
        assertRefused(visualize("--method", "all", "--save-npy", dir.resolve("m.npy").toString()),
                salinet + ": is a folder");
    }

    @Test
    void aBadSaveNpyCreatesNoOutputFolder() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        Path npy = file.resolve("r.npy");
        assertRefused(visualize("--save-npy", npy.toString(), "-o", dir.resolve("pictures").toString()),
                npy + ": " + file + " is not a folder");
        assertRefused(occlusion("--save-npy", npy.toString(), "-o", dir.resolve("pictures").toString()),
                npy + ": " + file + " is not a folder");
        assertThat(dir.resolve("pictures")).doesNotExist();
    }

    @Test
    void occlusionIntoAFolderBelowAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        Path out = file.resolve("heatmaps");
        assertRefused(occlusion("-o", out.toString()),
                out + ": cannot create the output folder: " + file + " is not a folder");
        Path deeper = file.resolve("a/b");
        assertRefused(occlusion("-o", deeper.toString()),
                deeper + ": cannot create the output folder: " + file + " is not a folder");
    }

    @Test
    void readOnlyFolders() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        assertThat(readOnly.toFile().setWritable(false, false)).isTrue();
        try {
            assumeFalse(Files.isWritable(readOnly), "running as root: folder permissions are not enforced");
            assertRefused(visualize("-o", readOnly.toString()), readOnly + ": output folder is not writable");
            Path below = readOnly.resolve("pictures");
            assertRefused(visualize("-o", below.toString()),
                    below + ": cannot create the output folder: permission denied");
            Path npy = readOnly.resolve("r.npy");
            assertRefused(visualize("--save-npy", npy.toString()), npy + ": folder " + readOnly + " is not writable");
            assertRefused(occlusion("-o", below.toString()),
                    below + ": cannot create the output folder: permission denied");
            assertRefused(occlusion("--save-npy", npy.toString()), npy + ": folder " + readOnly + " is not writable");
            assertThat(readOnly).isEmptyDirectory();
        } finally {
            readOnly.toFile().setWritable(true, false);
        }
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

    /** Exit code 2, exactly the line {@code error: message}, and no file but notes.txt in dir. */
    private void assertRefused(CliRun run, String message) throws IOException {
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.oneErrorLine()).as(run.err()).isTrue();
        assertThat(run.err().strip()).isEqualTo("error: " + message);
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()))
                    .as("files in %s", dir).allMatch(n -> n.equals("notes.txt"));
        }
    }
}
