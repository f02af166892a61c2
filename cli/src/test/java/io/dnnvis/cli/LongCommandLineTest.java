package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command line longer than 4 KB (a hundred images for explain): ONNX Runtime 1.29.0's telemetry
 * crashes such a process unless ORT_DISABLE_TELEMETRY is set, which the launcher does.
 */
class LongCommandLineTest {

    @TempDir
    Path dir;

    @Test
    void theLauncherSwitchesTelemetryOffAndALongCommandLineThenRuns() throws Exception {
        Path launcher = TestData.root().getParent().resolve("dnnvis");
        assertThat(Files.readAllLines(launcher)).contains("export ORT_DISABLE_TELEMETRY=1");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path argFile = dir.resolve("cp.args");
        Files.writeString(argFile, "-cp\n\"" + classPath.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n");
        List<String> command = new ArrayList<>(List.of(java, "@" + argFile, Main.class.getName(), "explain",
                TestData.glyphNet().toString(), "--method", "saliency", "--json", "--image"));
        String image = TestData.root().resolve("images/glyphs/R.png").toString();
        while (String.join(" ", command).length() < 6000) {
            command.add(image);
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        pb.environment().put("TMPDIR", dir + File.separator);
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("out.txt"));
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("\"method\":\"saliency\"");
    }
}
