package io.dnnvis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report at the size the issue names, 512 units x 9 images with reconstructions over 2,000 images:
 * all pages written in 0.1 to 0.6 s once warm (about 1 s the first time, on two busy cores), a layer page
 * of 2.3 MB (500 bytes a figure) whose 9,216 pictures load lazily; classes.html is 0.3 MB for the 2,000
 * images.
 */
class AuditReportScaleTest {

    @TempDir
    Path out;

    @Test
    void aLayerOf512UnitsTimesNineImagesIsQuickAndSmall() throws IOException {
        AuditFixture fixture = AuditFixture.large(512, 9, 2000);
        fixture.write(out);
        AuditReport.write(out); // once for the JIT
        long start = System.nanoTime();
        AuditReport.write(out);
        long ms = (System.nanoTime() - start) / 1_000_000;
        long bytes = Files.size(out.resolve("layer-conv5.html"));
        System.out.printf("audit report, 512 units x 9 images: written in %d ms; layer page %d bytes (%d a figure),"
                + " index %d bytes, classes %d bytes%n", ms, bytes, bytes / (512 * 9),
                Files.size(out.resolve("index.html")), Files.size(out.resolve("classes.html")));
        assertThat(ms).isLessThan(5_000);
        assertThat(bytes).isBetween(512L * 9 * 200, 512L * 9 * 600);

        Document page = Jsoup.parse(out.resolve("layer-conv5.html").toFile(), "UTF-8");
        assertThat(page.select("section.unit")).hasSize(512);
        assertThat(page.select("figure")).hasSize(512 * 9);
        assertThat(page.select("img")).hasSize(512 * 9 * 2)
                .allSatisfy(img -> assertThat(img.attr("loading")).isEqualTo("lazy"));
    }
}
