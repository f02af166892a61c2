package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes: a write that fails part-way leaves neither a temporary file nor a changed target. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsPartWayLeavesTheOldTargetAndNoTemporaryFile() throws Exception {
        Path target = dir.resolve("result.npy");
        Files.writeString(target, "old content");
        IOException full = new IOException("No space left on device");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write(new byte[64 * 1024]); // part of the file reached the disk
            out.flush();
            throw full;
        })).isSameAs(full);
        assertThat(Files.readString(target)).isEqualTo("old content");
        assertThat(names()).containsExactly("result.npy");
    }

    @Test
    void aFailedFirstWriteLeavesNoFileAtAll() throws Exception {
        Path target = dir.resolve("new.png");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write("partial".getBytes(StandardCharsets.US_ASCII));
            throw new IOException("No space left on device");
        })).isInstanceOf(IOException.class).hasMessage("No space left on device");
        assertThat(names()).isEmpty();
    }

    @Test
    void aWriterThatThrowsAnUncheckedExceptionLeavesNoFileEither() throws Exception {
        Path target = dir.resolve("new.png");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new IllegalStateException("renderer failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("renderer failed");
        assertThat(names()).isEmpty();
    }

    @Test
    void aSuccessfulWriteReplacesTheTargetAndLeavesOnlyIt() throws Exception {
        Path target = dir.resolve("result.npy");
        Files.writeString(target, "old content");
        AtomicFiles.write(target, "new".getBytes(StandardCharsets.US_ASCII));
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(names()).containsExactly("result.npy");
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFifoIsRefusedAndNeverReplaced() throws Exception {
        // a FIFO, not /dev/null: a broken implementation run as root must not replace a system device
        Path fifo = dir.resolve("out.npy");
        org.junit.jupiter.api.Assumptions.assumeTrue(NpyHostileTest.mkfifo(fifo), "mkfifo is not available");
        assertThatThrownBy(() -> AtomicFiles.write(fifo, new byte[] {1}))
                .isInstanceOf(java.nio.file.FileSystemException.class)
                .hasMessage(fifo + ": not a regular file (a device, FIFO or socket); refusing to replace it");
        assertThat(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()).isTrue();
        assertThat(names()).containsExactly("out.npy");
    }
}
