package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The library's audit of GlyphNet over the 260 reference glyphs gives the reference top table exactly. */
class AuditReferenceTest {

    static final List<String> LAYERS = List.of("/features/features.6/Relu_output_0",
            "/features/features.10/Relu_output_0", "/features/features.16/Relu_output_0");

    private static AuditResult result;
    private static List<String[]> expected;

    @BeforeAll
    static void audit() throws IOException {
        Path reference = TestData.auditReference();
        expected = Files.readAllLines(reference.resolve("topk.csv")).stream().skip(1).map(l -> l.split(",")).toList();
        try (Visualizer vis = Visualizer.open(TestData.glyphNet())) {
            AuditRequest request = new AuditRequest(LAYERS, 9, AuditMethod.NONE, 16, LabelSource.PREFIX);
            result = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .run(ImageFolder.scan(reference.resolve("images"), false));
        }
    }

    @Test
    void everyRowOfTheReferenceTableIsFound() {
        assertThat(result.images()).isEqualTo(260);
        assertThat(result.skipped()).isEmpty();
        assertThat(expected).hasSize(2016);
        // the reference lists the layers in its own order: compare row by (layer, unit, rank)
        java.util.Map<String, TopImage> ours = new java.util.HashMap<>();
        result.top().forEach(t -> ours.put(t.layer() + "," + t.unit() + "," + t.rank(), t));
        assertThat(ours).hasSize(expected.size());
        for (String[] e : expected) {
            TopImage t = ours.get(e[0] + "," + e[1] + "," + e[2]);
            assertThat(t).as("row %s", String.join(",", e)).isNotNull();
            String where = String.join(",", e);
            assertThat(t.image()).as(where).isEqualTo(e[3]);
            assertThat(new int[] {t.y(), t.x()}).as(where).containsExactly(Integer.parseInt(e[4]), Integer.parseInt(e[5]));
            double want = Double.parseDouble(e[6]);
            assertThat((double) t.activation()).as(where)
                    .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(want))));
            assertThat(t.box()).as(where).isEqualTo(new ReceptiveField.Box(Integer.parseInt(e[7]),
                    Integer.parseInt(e[8]), Integer.parseInt(e[9]), Integer.parseInt(e[10])));
        }
    }

    @Test
    void everyImageHasItsPredictionAndItsTrueClassFromTheFileName() {
        assertThat(result.predictions()).hasSize(260);
        assertThat(result.predictions()).extracting(Prediction::image).isSorted();
        Prediction first = result.predictions().get(0);
        assertThat(first.image()).isEqualTo("A-23-000.png");
        assertThat(first.trueLabel()).isEqualTo("A");
        long right = result.predictions().stream().filter(p -> p.label().equals(p.trueLabel())).count();
        // GlyphNet reads most of these unseen fonts right
        assertThat(right).isGreaterThan(200);
    }
}
