package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.EngineOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint at the end of a pass, the refusal of a folder whose files were rewritten since a
 * checkpoint, what a mismatched fingerprint says, and the pictures of rows whose image cannot be
 * read any more.
 */
class AuditCheckpointTest {

    private static final String LAYER = "/features/features.6/Relu_output_0";

    @TempDir
    Path tmp;

    private ImageFolder images(int count) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        try (Stream<Path> all = Files.list(TestData.auditReference().resolve("images"))) {
            for (Path p : all.sorted().filter(p -> p.getFileName().toString().endsWith("3.png")).limit(count).toList()) {
                Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        return ImageFolder.scan(dir, false);
    }

    @Test
    void theWholePassIsSavedSoThatAResumeReadsNoImageAgain() throws IOException {
        ImageFolder folder = images(6);
        Path checkpoint = tmp.resolve("state");
        AuditRequest request = AuditRequest.of(LAYER).withTop(2).withBatch(4);
        try (Visualizer vis = Visualizer.open(TestData.glyphNet(), EngineOptions.defaults())) {
            AuditResult whole = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .checkpoint(checkpoint, 1000, "x=1").run(folder);
            assertThat(checkpoint).as("saved at the end though the interval was not reached").exists();
            List<Integer> told = new ArrayList<>();
            AuditResult resumed = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .checkpoint(checkpoint, 1000, "x=1").resume(true).progress((done, total) -> told.add(done))
                    .run(folder);
            assertThat(told).as("no image read again").containsOnly(6);
            assertThat(resumed.top()).isEqualTo(whole.top());
            assertThat(resumed.predictions()).isEqualTo(whole.predictions());
        }
    }

    @Test
    void aFileRewrittenSinceTheCheckpointIsRefused() throws IOException {
        ImageFolder folder = images(4);
        Path checkpoint = tmp.resolve("state");
        AuditRequest request = AuditRequest.of(LAYER).withTop(2).withBatch(2);
        try (Visualizer vis = Visualizer.open(TestData.glyphNet(), EngineOptions.defaults())) {
            Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .checkpoint(checkpoint, 2, "x=1").run(folder);
            // the same name, size and contents, another modification time: as a rewrite would leave it
            Path first = folder.resolve(folder.files().get(0));
            Files.setLastModifiedTime(first, FileTime.fromMillis(Files.getLastModifiedTime(first).toMillis() + 5000));
            assertThatThrownBy(() -> Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .checkpoint(checkpoint, 2, "x=1").resume(true).run(folder))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("rewritten");
        }
    }

    @Test
    void aMismatchNamesTheSettingsThatDiffer() {
        assertThat(AuditState.differences("model=ab\ntop=5\nmax-pixels=10", "model=ab\ntop=9\nmax-pixels=10"))
                .isEqualTo("top: 5 in the checkpoint, 9 now");
        assertThat(AuditState.differences("a=1\nsize=", "a=1\nsize=32x32"))
                .isEqualTo("size: (none) in the checkpoint, 32x32 now");
        assertThat(AuditState.differences("old form;no pairs", "a=1")).isEqualTo("old form;no pairs");
    }

    @Test
    void aDamagedCheckpointSaysWhy() throws IOException {
        Path checkpoint = tmp.resolve("state");
        new AuditState("x=1", List.of(new UnitTops(2, 2))).save(checkpoint);
        byte[] whole = Files.readAllBytes(checkpoint);
        Files.write(checkpoint, java.util.Arrays.copyOf(whole, whole.length - 3));
        assertThatThrownBy(() -> AuditState.load(checkpoint, "x=1")).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void impossibleTableSizesAreADamagedCheckpoint() throws IOException {
        Path checkpoint = tmp.resolve("state");
        new AuditState("x=1", List.of(new UnitTops(2, 2))).save(checkpoint);
        byte[] bytes = Files.readAllBytes(checkpoint);
        // the table's units and K are its last 8 bytes but the two counts of 0 (4 bytes each)
        java.nio.ByteBuffer.wrap(bytes).putInt(bytes.length - 16, 65536).putInt(bytes.length - 12, 65537);
        Files.write(checkpoint, bytes);
        assertThatThrownBy(() -> AuditState.load(checkpoint, "x=1")).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("65536 units x 65537");
    }

    @Test
    void rowsOfAnImageThatCannotBeReadAnyMoreGetNoPicturesAndTheOthersDo() throws IOException {
        ImageFolder folder = images(10);
        AuditRequest request = AuditRequest.of(LAYER).withTop(3).withBatch(4);
        try (Visualizer vis = Visualizer.open(TestData.glyphNet(), EngineOptions.defaults())) {
            AuditResult result = Audit.on(vis, EngineOptions.defaults(), request, ImageInput.Options.defaults())
                    .run(folder);
            String gone = result.top().get(0).image();
            Files.writeString(folder.resolve(gone), "not an image any more");
            long ofGone = result.top().stream().filter(r -> r.image().equals(gone)).count();
            for (AuditMethod method : new AuditMethod[] {AuditMethod.DECONVNET, AuditMethod.NONE}) {
                List<TopImage> drawn = Collections.synchronizedList(new ArrayList<>());
                List<TopImage> missed = Collections.synchronizedList(new ArrayList<>());
                List<String> reasons = Collections.synchronizedList(new ArrayList<>());
                AuditPictures.of(vis, ImageInput.Options.defaults(), method).draw(folder, result,
                        d -> drawn.add(d.row()), (rows, reason) -> {
                            missed.addAll(rows);
                            reasons.add(reason);
                        });
                assertThat(missed).as(method.label()).hasSize((int) ofGone).allMatch(r -> r.image().equals(gone));
                assertThat(reasons).allMatch(r -> r.contains("is not an image (its first bytes match none"));
                assertThat(drawn).as(method.label()).hasSize(result.top().size() - (int) ofGone)
                        .noneMatch(r -> r.image().equals(gone));
            }
            // without a place for them, such rows stop the drawing, naming the file
            assertThatThrownBy(() -> AuditPictures.of(vis, ImageInput.Options.defaults(), AuditMethod.NONE)
                    .draw(folder, result, d -> { })).isInstanceOf(BadRequestException.class)
                    .hasMessageContaining(gone);
        }
    }
}
