package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporary files left by a killed run are recognised and removed by the next write into their folder. */
class StaleTempFilesTest {

    private static final long OWN_PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @Test
    void theTemporaryFileNamesItsTargetAndProcess() throws Exception {
        Path target = dir.resolve("result.npy");
        List<String> seen = new ArrayList<>();
        AtomicFiles.write(target, out -> {
            seen.addAll(names());
            out.write(1);
        });
        assertThat(seen).singleElement().asString().matches("\\.result\\.npy\\.dnnvis-" + OWN_PID + "-[0-9a-z]+\\.tmp");
        assertThat(names()).containsExactly("result.npy");
    }

    @Test
    void aWriteRemovesStaleTemporaryFilesOfDeadProcessesOnly() throws Exception {
        long dead = deadPid();
        Path stale = Files.writeString(dir.resolve(".out.npy.dnnvis-" + dead + "-k3j2.tmp"), "38 MB of a killed run");
        Path otherStale = Files.writeString(dir.resolve(".fig.png.dnnvis-" + dead + "-zz.tmp"), "x");
        Path live = Files.writeString(dir.resolve(".out.npy.dnnvis-" + OWN_PID + "-abc.tmp"), "being written");
        Path foreign = Files.writeString(dir.resolve(".notes.dnnvis-" + dead + ".tmp"), "not ours: no random part");
        Path folderNamedLikeOne = Files.createDirectory(dir.resolve(".d.dnnvis-" + dead + "-q.tmp"));
        AtomicFiles.write(dir.resolve("new.png"), "png".getBytes(StandardCharsets.US_ASCII));
        assertThat(stale).doesNotExist();
        assertThat(otherStale).doesNotExist();
        assertThat(live).hasContent("being written");
        assertThat(foreign).exists();
        assertThat(folderNamedLikeOne).isDirectory();
        assertThat(dir.resolve("new.png")).hasContent("png");
    }

    /** The pid of a process that has ended. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        long pid = p.pid();
        p.waitFor();
        p.onExit().get();
        assumeTrue(ProcessHandle.of(pid).isEmpty(), "the pid was reused at once");
        return pid;
    }

    private List<String> names() throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
