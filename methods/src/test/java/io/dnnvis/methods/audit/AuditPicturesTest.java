package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.BackwardMethod;
import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pictures drawn by {@link AuditPictures#draw} (a layer's rows of several images in one backward
 * run, the pictures on the caller's and the picture threads between runs) are those drawn image by
 * image on the caller's thread ({@link AuditPictures#drawImage}, one image per run), every row once;
 * the progress counts up one by one; a failing sink stops the drawing with its own exception; the
 * enlargement is nearest-neighbour.
 */
class AuditPicturesTest {

    @TempDir
    static Path tmp;

    private static ImageFolder folder;

    @BeforeAll
    static void images() throws IOException {
        try (Stream<Path> all = Files.list(TestData.auditReference().resolve("images"))) {
            for (Path p : all.sorted().filter(p -> p.getFileName().toString().endsWith("7.png")).limit(10).toList()) {
                Files.copy(p, tmp.resolve(p.getFileName()));
            }
        }
        folder = ImageFolder.scan(tmp, false);
    }

    /** Runs {@code test} with the reconstructions on cones ({@link ConeRuns}) or, with {@code wholeMaps}, not. */
    private static void withWholeMaps(boolean wholeMaps, Runnable test) {
        String before = System.getProperty(ConeRuns.WHOLE_MAPS);
        System.setProperty(ConeRuns.WHOLE_MAPS, Boolean.toString(wholeMaps));
        try {
            test.run();
        } finally {
            if (before == null) {
                System.clearProperty(ConeRuns.WHOLE_MAPS);
            } else {
                System.setProperty(ConeRuns.WHOLE_MAPS, before);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void thePictureThreadsDrawWhatTheCallerDrawsImageByImage(boolean wholeMaps) {
        withWholeMaps(wholeMaps, () -> picturesOfThreadsAndOfTheCaller(!wholeMaps));
    }

    private void picturesOfThreadsAndOfTheCaller(boolean cones) {
        AuditRequest request = AuditRequest.of("/features/features.6/Relu_output_0").withTop(3).withBatch(4);
        try (Visualizer vis = Visualizer.open(TestData.glyphNet(), EngineOptions.defaults())) {
            AuditResult result = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .run(folder);
            // the model runs a batch of images: draw takes a layer's rows of several images in one run
            long[] one = ImageInput.load(folder.resolve(result.top().get(0).image()), vis.model(),
                    ImageInput.Options.defaults(), vis.layout()).tensor().shape();
            assertThat(io.dnnvis.methods.NeuronBatches.runsImagesTogether(vis, result.top().get(0).layer(), one,
                    AuditRuns.IMAGES_PER_RUN)).isTrue();
            // with cones on, they do open for this layer (else this would test the whole maps twice)
            Optional<ConeRuns> opened = ConeRuns.open(vis, request.method().backward().orElseThrow(),
                    ImageInput.Options.defaults(), result.top().get(0).layer(), one, result.top().size());
            assertThat(opened.isPresent()).isEqualTo(cones);
            opened.ifPresent(ConeRuns::close);
            List<int[]> told = new ArrayList<>();
            AuditPictures pictures = AuditPictures.of(vis, ImageInput.Options.defaults(), request.method())
                    .progress((done, total) -> told.add(new int[] {done, total}));
            List<AuditPictures.Drawn> threaded = java.util.Collections.synchronizedList(new ArrayList<>());
            Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
            pictures.draw(folder, result, d -> {
                threaded.add(d);
                threads.add(Thread.currentThread().getName());
            });
            // the caller and the picture threads draw, or the threads of the runs on cones (ConeRuns), no other
            assertThat(threads).isNotEmpty().allSatisfy(name -> assertThat(name)
                    .isIn(Thread.currentThread().getName(), "dnnvis-audit-pictures", "dnnvis-audit-cone-run"));
            assertThat(told).hasSize(result.top().size());
            for (int i = 0; i < told.size(); i++) {
                assertThat(told.get(i)).containsExactly(i + 1, result.top().size());
            }

            Map<String, List<TopImage>> byImage = new TreeMap<>();
            result.top().forEach(row -> byImage.computeIfAbsent(row.image(), k -> new ArrayList<>()).add(row));
            List<AuditPictures.Drawn> direct = new ArrayList<>();
            for (var e : byImage.entrySet()) {
                ImageInput input = ImageInput.load(folder.resolve(e.getKey()), vis.model(), pictures.options(),
                        vis.layout());
                pictures.drawImage(input, e.getValue(), direct::add);
            }
            assertThat(threaded).hasSize(result.top().size()).hasSameSizeAs(direct);
            Map<TopImage, AuditPictures.Drawn> byRow = new java.util.HashMap<>();
            threaded.forEach(d -> byRow.put(d.row(), d));
            assertThat(byRow.keySet()).containsExactlyInAnyOrderElementsOf(result.top());
            for (AuditPictures.Drawn want : direct) {
                AuditPictures.Drawn got = byRow.get(want.row());
                assertSamePixels(got.patch(), want.patch());
                assertSamePixels(got.reconstruction().orElseThrow(), want.reconstruction().orElseThrow());
            }
        }
    }

    /**
     * A run takes fewer images where one signal on each would not fit in what the engine gives one run
     * (here a tensor cap of three times the layer's largest tensor: three signals on one image, so
     * three images with one signal each), and the pictures are the same.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRunTakesNoMoreImagesThanFitInOneRun(boolean wholeMaps) {
        withWholeMaps(wholeMaps, this::aRunTakesNoMoreImagesThanFitInOneRun);
    }

    private void aRunTakesNoMoreImagesThanFitInOneRun() {
        AuditRequest request = AuditRequest.of("/features/features.6/Relu_output_0").withTop(3).withBatch(4);
        try (Visualizer vis = Visualizer.open(TestData.glyphNet(), EngineOptions.defaults())) {
            AuditResult result = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .run(folder);
            String layer = result.top().get(0).layer();
            long[] one = ImageInput.load(folder.resolve(result.top().get(0).image()), vis.model(),
                    ImageInput.Options.defaults(), vis.layout()).tensor().shape();
            AuditPictures roomy = AuditPictures.of(vis, ImageInput.Options.defaults(), request.method());
            BackwardMethod method = request.method().backward().orElseThrow();
            AuditRuns roomyRuns = new AuditRuns(vis, method, ImageInput.Options.defaults());
            assertThat(roomyRuns.imagesPerRun(layer, one, 10)).isEqualTo(AuditRuns.IMAGES_PER_RUN);
            assertThat(roomyRuns.imagesPerRun(layer, one, 3)).isEqualTo(3);
            // the layer's largest tensor on the way (GlyphNet: the first Conv's and Relu's [1, 32, 64, 64])
            long largest = io.dnnvis.trace.LayerTable.of(vis.tracer(), one).rows().stream()
                    .filter(r -> r.shape() != null && r.shape().length == 4)
                    .mapToLong(r -> 4L * java.util.Arrays.stream(r.shape()).reduce(1, Math::multiplyExact))
                    .max().orElseThrow();
            try (Visualizer tight = Visualizer.open(TestData.glyphNet(),
                    EngineOptions.defaults().withMaxTensorBytes(3 * largest))) {
                AuditPictures small = AuditPictures.of(tight, ImageInput.Options.defaults(), request.method());
                assertThat(new AuditRuns(tight, method, ImageInput.Options.defaults()).imagesPerRun(layer, one, 10))
                        .isEqualTo(3);
                List<AuditPictures.Drawn> drawn = java.util.Collections.synchronizedList(new ArrayList<>());
                small.draw(folder, result, drawn::add);
                List<AuditPictures.Drawn> wide = java.util.Collections.synchronizedList(new ArrayList<>());
                roomy.draw(folder, result, wide::add);
                Map<TopImage, AuditPictures.Drawn> byRow = new java.util.HashMap<>();
                wide.forEach(d -> byRow.put(d.row(), d));
                assertThat(drawn).hasSize(result.top().size());
                for (AuditPictures.Drawn d : drawn) {
                    assertSamePixels(d.reconstruction().orElseThrow(), byRow.get(d.row()).reconstruction().orElseThrow());
                }
            }
        }
    }

    @Test
    void aFailingSinkStopsTheDrawingWithItsException() {
        AuditRequest request = AuditRequest.of("/features/features.6/Relu_output_0").withTop(2).withBatch(4);
        try (Visualizer vis = Visualizer.open(TestData.glyphNet(), EngineOptions.defaults())) {
            AuditResult result = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .run(folder);
            AuditPictures pictures = AuditPictures.of(vis, ImageInput.Options.defaults(), request.method());
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            assertThatThrownBy(() -> pictures.draw(folder, result, d -> {
                if (calls.incrementAndGet() == 5) {
                    throw new IllegalStateException("disk full");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("disk full");
            // the drawing stops before the table's end (on one thread right at the failing row:
            // PictureStageTest; other threads may finish rows while its exception is on its way)
            assertThat(calls.get()).isBetween(5, result.top().size() - 1);
        }
    }

    @Test
    void enlargingRepeatsEachPixelByTheSmallestFactorThatReachesTheMinimumSide() {
        BufferedImage small = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                small.setRGB(x, y, (x * 31) << 16 | (y * 47) << 8 | (x * y));
            }
        }
        BufferedImage big = AuditPictures.enlarge(small);
        int factor = 14; // 7 * 14 = 98 >= 96, 7 * 13 = 91 < 96
        assertThat(big.getWidth()).isEqualTo(7 * factor);
        assertThat(big.getHeight()).isEqualTo(5 * factor);
        for (int y = 0; y < big.getHeight(); y++) {
            for (int x = 0; x < big.getWidth(); x++) {
                assertThat(big.getRGB(x, y)).isEqualTo(small.getRGB(x / factor, y / factor));
            }
        }
        BufferedImage wide = new BufferedImage(100, 3, BufferedImage.TYPE_INT_RGB);
        assertThat(AuditPictures.enlarge(wide)).isSameAs(wide);
    }

    private static void assertSamePixels(BufferedImage a, BufferedImage b) {
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        assertThat(a.getHeight()).isEqualTo(b.getHeight());
        assertThat(a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()))
                .isEqualTo(b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth()));
    }
}
