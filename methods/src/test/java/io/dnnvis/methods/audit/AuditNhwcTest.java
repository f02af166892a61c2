package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.modelbuild.NhwcTwin;
import io.dnnvis.onnx.LoadOptions;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An NHWC model (GlyphNet's tf2onnx-style twin) gives the same audit as the NCHW model, pictures included. */
class AuditNhwcTest {

    @TempDir
    Path tmp;

    @Test
    void theNhwcTwinGivesTheSameTableBoxesAndPictures() throws IOException {
        try (Stream<Path> all = Files.list(TestData.auditReference().resolve("images"))) {
            for (Path p : all.sorted().filter(p -> p.getFileName().toString().endsWith("3.png")).limit(20).toList()) {
                Files.copy(p, tmp.resolve(p.getFileName()));
            }
        }
        ImageFolder folder = ImageFolder.scan(tmp, false);
        assertThat(folder.files()).hasSize(20);
        OnnxModel nchw = OnnxModel.load(TestData.glyphNet());
        OnnxModel nhwc = OnnxModel.fromBytes(NhwcTwin.of(TestData.glyphNet()), Path.of("twin-glyphnet.onnx"),
                LoadOptions.defaults());
        AuditRequest request = AuditRequest.of("/features/features.6/Relu_output_0").withTop(2).withBatch(4);
        // drawn from several threads, in no set order: compared row by row
        List<AuditPictures.Drawn> nchwPictures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<AuditPictures.Drawn> nhwcPictures = java.util.Collections.synchronizedList(new ArrayList<>());
        AuditResult expected = audit(nchw, request, folder, nchwPictures);
        AuditResult twin = audit(nhwc, request, folder, nhwcPictures);
        assertThat(twin.top()).hasSize(64 * 2);
        for (int i = 0; i < expected.top().size(); i++) {
            TopImage e = expected.top().get(i);
            TopImage t = twin.top().get(i);
            assertThat(t.image()).isEqualTo(e.image());
            assertThat(new int[] {t.unit(), t.rank(), t.y(), t.x()}).containsExactly(e.unit(), e.rank(), e.y(), e.x());
            assertThat(t.box()).isEqualTo(e.box());
            assertThat(t.activation()).isCloseTo(e.activation(), Offset.offset(1e-4f));
        }
        assertThat(nhwcPictures).hasSameSizeAs(nchwPictures);
        java.util.Comparator<AuditPictures.Drawn> byRow = java.util.Comparator
                .comparing((AuditPictures.Drawn d) -> d.row().layer())
                .thenComparingInt(d -> d.row().unit()).thenComparingInt(d -> d.row().rank());
        nchwPictures.sort(byRow);
        nhwcPictures.sort(byRow);
        for (int i = 0; i < nchwPictures.size(); i += 17) {
            BufferedImageAssert.samePixels(nhwcPictures.get(i).patch(), nchwPictures.get(i).patch());
            assertThat(nhwcPictures.get(i).reconstruction()).isPresent();
            assertThat(nhwcPictures.get(i).reconstruction().get().getWidth())
                    .isEqualTo(nchwPictures.get(i).patch().getWidth());
        }
    }

    private static AuditResult audit(OnnxModel model, AuditRequest request, ImageFolder folder,
            List<AuditPictures.Drawn> pictures) {
        try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults())) {
            assertThat(vis.layout()).isEqualTo(model.path().toString().startsWith("twin") ? InputLayout.NHWC
                    : InputLayout.NCHW);
            AuditResult result = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .run(folder);
            AuditPictures.of(vis, ImageInput.Options.defaults(), request.method()).draw(folder, result, pictures::add);
            return result;
        }
    }

    /** Pixel equality of two pictures. */
    static final class BufferedImageAssert {
        static void samePixels(java.awt.image.BufferedImage a, java.awt.image.BufferedImage b) {
            assertThat(a.getWidth()).isEqualTo(b.getWidth());
            assertThat(a.getHeight()).isEqualTo(b.getHeight());
            for (int y = 0; y < a.getHeight(); y += 5) {
                for (int x = 0; x < a.getWidth(); x += 5) {
                    assertThat(a.getRGB(x, y)).isEqualTo(b.getRGB(x, y));
                }
            }
        }
    }
}
