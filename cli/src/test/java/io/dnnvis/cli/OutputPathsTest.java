package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A write that fails part-way (disk full) is one line, exit code 2, and leaves the folder as it was. */
class OutputPathsTest {

    @TempDir
    Path dir;

    @Test
    void aDiskFullHalfWayIsOneUserErrorAndChangesNothing() throws Exception {
        Path target = dir.resolve("desalinet_conv2_n0.png");
        Files.writeString(target, "from an earlier run");
        UserException e = writeFailing(target, new IOException("No space left on device"));
        assertThat(e).hasMessage(target + ": cannot write (No space left on device)");
        assertThat(Files.readString(target)).isEqualTo("from an earlier run");
        assertThat(names()).containsExactly("desalinet_conv2_n0.png");
        assertThat(ErrorHandler.exitCode(e)).isEqualTo(ErrorHandler.BAD_INPUT);
    }

    @Test
    void aFileSystemErrorGivesItsReasonWithoutRepeatingThePath() throws Exception {
        Path target = dir.resolve("r.npy");
        Path temp = dir.resolve(".r.npy.x1.tmp");
        UserException e = writeFailing(target, new FileSystemException(temp.toString(), null, "Disk quota exceeded"));
        assertThat(e).hasMessage(target + ": cannot write (Disk quota exceeded)");
        assertThat(names()).isEmpty();
    }

    @Test
    void theHandlerPrintsOneLineAndExitsTwo() {
        Path target = dir.resolve("r.npy");
        UserException e = writeFailing(target, new IOException("No space left on device"));
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = new ErrorHandler().handleExecutionException(e, cl, null);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: " + target + ": cannot write (No space left on device)"
                + System.lineSeparator());
    }

    private static UserException writeFailing(Path target, IOException failure) {
        Throwable thrown = catchThrowable(() -> OutputPaths.write(target, out -> {
            out.write(new byte[32 * 1024]);
            out.flush();
            throw failure;
        }, List.of()));
        assertThat(thrown).isInstanceOf(UserException.class);
        return (UserException) thrown;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
