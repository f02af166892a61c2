package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run of the command line, in a JVM of its own as {@code dnnvis.jar} runs it, leaves nothing in the
 * temporary folder (no {@code onnxruntime-java<N>} folder, no {@code mat-debug-<pid>.log}) and prints
 * nothing but its result.
 */
class NothingLeftBehindTest {

    @TempDir
    Path dir;

    @Test
    void aRunLeavesTheTemporaryFolderEmptyAndStderrSilent() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path home = Files.createDirectory(dir.resolve("home"));
        for (int run = 0; run < 2; run++) { // the first run fills the cache, the second uses it
            Process p = start(tmp, home, dir.resolve("classpath.args"));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(err).isZero();
            assertThat(out).contains("prediction:").contains("R ");
            assertThat(err).as("stderr of run %d", run).isEmpty();
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left).as("left in TMPDIR after run %d", run).isEmpty();
            }
            assertThat(Path.of("/tmp/mat-debug-" + p.pid() + ".log")).doesNotExist();
        }
        try (Stream<Path> cached = Files.walk(home.resolve(".cache/dnnvis/native"))) {
            assertThat(cached.filter(Files::isRegularFile).map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder(System.mapLibraryName("onnxruntime"),
                            System.mapLibraryName("onnxruntime4j_jni"));
        }
    }

    /**
     * The class path goes in an argument file: ONNX Runtime's native library crashes (SIGSEGV) in a
     * process whose command line is longer than about 4 KB, which the test class path alone can be.
     */
    private static Process start(Path tmp, Path home, Path argFile) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Files.writeString(argFile, "-cp\n\"" + classPath.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n");
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Djava.io.tmpdir=" + tmp, "-Duser.home=" + home,
                "@" + argFile, Main.class.getName(), "predict", TestData.root().resolve("models/glyphnet.onnx")
                        .toString(), "--image", TestData.root().resolve("images/glyphs/R.png").toString()));
        pb.environment().put("TMPDIR", tmp + File.separator);
        pb.environment().remove("XDG_CACHE_HOME");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return pb.start();
    }
}
