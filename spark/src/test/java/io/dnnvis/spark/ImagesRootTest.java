package io.dnnvis.spark;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.trace.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark audit refuses an images root that is missing or a file in one line, as the local audit does. */
class ImagesRootTest {

    @TempDir
    Path dir;

    @Test
    void aMissingRootOrAFileIsBadInputAFolderIsFine() throws Exception {
        Configuration conf = new Configuration();
        String missing = dir.resolve("nothing-here").toUri().toString();
        assertThatThrownBy(() -> SparkAudit.requireFolder(conf, missing)).isInstanceOf(BadInputException.class)
                .hasMessage(missing + ": folder not found");
        Path file = Files.writeString(dir.resolve("a.png"), "x");
        String fileUri = file.toUri().toString();
        assertThatThrownBy(() -> SparkAudit.requireFolder(conf, fileUri)).isInstanceOf(BadInputException.class)
                .hasMessage(fileUri + ": not a folder");
        assertThatCode(() -> SparkAudit.requireFolder(conf, dir.toUri().toString())).doesNotThrowAnyException();
    }
}
