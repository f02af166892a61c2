package io.dnnvis.methods.audit;

import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.EngineOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An audit's pictures drawn on cones ({@link ConeRuns}) are those drawn on the whole maps (to one
 * gray level: float rounding), for every method, on a layer whose every maximum reads only padding
 * (its receptive field the whole image, its reconstruction zero) and on ordinary layers behind a
 * padded max-pool; the cones do open there, and a layer of fewer rows than {@link ConeRuns#MIN_ROWS}
 * keeps the whole maps.
 */
class ConeRunsTest {

    @TempDir
    Path dir;

    @Test
    void picturesOnConesAreTheWholeMapsPictures() throws Exception {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("image", 1, 3, 12, 12);
        Random rnd = new Random(21);
        float[] bias = new float[8];
        for (int c = 0; c < 8; c++) {
            bias[c] = 0.1f * (c + 1);
        }
        // zero weights and pads of 3: every map is its bias, every maximum at (0, 0), which reads only padding
        String padding = b.node("Conv", List.of(x, b.initializer("w_pad", new long[] {8, 3, 3, 3}, new float[216]),
                b.initializer("b_pad", new long[] {8}, bias)), intsAttr("kernel_shape", 3, 3),
                intsAttr("pads", 3, 3, 3, 3));
        String first = b.relu(b.conv(x, 3, 8, 3, 1, 1, 1, rnd));
        String pooled = b.maxPool(first, 3, 2, 1, false);
        String second = b.relu(b.conv(pooled, 8, 8, 3, 1, 1, 1, rnd));
        b.output(second);
        b.output(padding);
        Path modelFile = dir.resolve("model.onnx");
        b.write(modelFile);
        Path images = Files.createDirectories(dir.resolve("images"));
        for (int i = 0; i < 12; i++) {
            BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 144; p++) {
                img.setRGB(p % 12, p / 12, rnd.nextInt(0x1000000));
            }
            ImageIO.write(img, "png", images.resolve("i" + i + ".png").toFile());
        }
        ImageFolder folder = ImageFolder.scan(images, false);
        OnnxModel model = OnnxModel.load(modelFile);
        ImageInput.Options options = ImageInput.Options.defaults();
        for (AuditMethod method : List.of(AuditMethod.DECONVNET, AuditMethod.SALINET, AuditMethod.DESALINET)) {
            AuditRequest request = AuditRequest.of(padding, pooled, second).withTop(5).withBatch(4)
                    .withMethod(method);
            try (Visualizer vis = Visualizer.open(model, EngineOptions.defaults(), InputLayout.NCHW)) {
                AuditResult result = Audit.on(vis, EngineOptions.defaults(), request, options).run(folder);
                assertThat(result.top()).hasSize(3 * 8 * 5);
                assertThat(result.top().stream().filter(r -> r.layer().equals(padding)))
                        .allSatisfy(r -> assertThat(r.box()).isEqualTo(new ReceptiveField.Box(0, 0, 11, 11)));
                BackwardMethod backward = method.backward().orElseThrow();
                for (String layer : List.of(padding, pooled, second)) {
                    Optional<ConeRuns> cones = ConeRuns.open(vis, backward, options, layer, new long[] {1, 3, 12, 12},
                            40);
                    assertThat(cones).as(layer).isPresent();
                    cones.get().close();
                }
                Map<TopImage, AuditPictures.Drawn> onCones = draw(vis, result, folder, method, false);
                Map<TopImage, AuditPictures.Drawn> whole = draw(vis, result, folder, method, true);
                assertThat(onCones.keySet()).containsExactlyInAnyOrderElementsOf(result.top());
                for (TopImage row : result.top()) {
                    assertWithinOneLevel(onCones.get(row).patch(), whole.get(row).patch(), row + " patch");
                    assertWithinOneLevel(onCones.get(row).reconstruction().orElseThrow(),
                            whole.get(row).reconstruction().orElseThrow(), method + " " + row);
                }
                // fewer rows than MIN_ROWS: the whole maps
                assertThat(ConeRuns.open(vis, backward, options, second, new long[] {1, 3, 12, 12},
                        ConeRuns.MIN_ROWS - 1)).isEmpty();
            }
        }
    }

    private static Map<TopImage, AuditPictures.Drawn> draw(Visualizer vis, AuditResult result, ImageFolder folder,
            AuditMethod method, boolean wholeMaps) {
        String before = System.getProperty(ConeRuns.WHOLE_MAPS);
        System.setProperty(ConeRuns.WHOLE_MAPS, Boolean.toString(wholeMaps));
        try {
            Map<TopImage, AuditPictures.Drawn> drawn = Collections.synchronizedMap(new HashMap<>());
            AuditPictures.of(vis, ImageInput.Options.defaults(), method).draw(folder, result,
                    d -> drawn.put(d.row(), d));
            return drawn;
        } finally {
            if (before == null) {
                System.clearProperty(ConeRuns.WHOLE_MAPS);
            } else {
                System.setProperty(ConeRuns.WHOLE_MAPS, before);
            }
        }
    }

    private static void assertWithinOneLevel(BufferedImage a, BufferedImage b, String what) {
        assertThat(a.getWidth()).as(what).isEqualTo(b.getWidth());
        assertThat(a.getHeight()).as(what).isEqualTo(b.getHeight());
        int worst = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift < 24; shift += 8) {
                    worst = Math.max(worst, Math.abs((p >> shift & 0xff) - (q >> shift & 0xff)));
                }
            }
        }
        assertThat(worst).as(what).isLessThanOrEqualTo(1);
    }
}
