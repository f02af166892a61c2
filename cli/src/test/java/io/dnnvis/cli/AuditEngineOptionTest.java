package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'dnnvis audit --engine': local is this JVM; spark is the launcher's, and an unknown engine is bad input. */
class AuditEngineOptionTest {

    private static final String GLYPHNET = TestData.glyphNet().toString();
    private static final String IMAGES = TestData.auditReference().resolve("images").toString();

    @TempDir
    Path tmp;

    @Test
    void sparkOutsideTheLauncherSaysWhereToRunItAndWritesNothing() {
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("audit", GLYPHNET, "--images", IMAGES, "--layer", "conv3", "--engine", "spark",
                "-o", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().strip()).startsWith("error: --engine spark runs through the ./dnnvis launcher")
                .doesNotContain("\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void anUnknownEngineIsBadInput() {
        CliRun run = CliRun.of("audit", GLYPHNET, "--images", IMAGES, "--layer", "conv3", "--engine", "flink",
                "-o", tmp.resolve("out").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--engine must be local or spark, not 'flink'");
    }
}
