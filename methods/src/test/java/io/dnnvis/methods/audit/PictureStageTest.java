package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.image.Preprocessing;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The picture stage hands every row to the sink once, from its threads; a failing sink's own
 * exception comes back, and the drawing stops: on one thread right at the failing row.
 */
class PictureStageTest {

    private static final int ROWS = 40;

    /** Two images' rows (no reconstructions: the patches alone). */
    private static List<AuditPictures.Pending> pending() {
        List<AuditPictures.Pending> out = new ArrayList<>();
        for (int image = 0; image < 2; image++) {
            BufferedImage picture = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            ImageInput input = new ImageInput(TensorValue.zeros("x", new long[] {1, 3, 32, 32}), picture,
                    Preprocessing.values()[0], "", "");
            List<TopImage> rows = new ArrayList<>();
            for (int k = 0; k < ROWS / 2; k++) {
                rows.add(new TopImage("t", k, image + 1, "img" + image, 0, 0, 1f,
                        new ReceptiveField.Box(k % 8, 0, k % 8 + 9, 9)));
            }
            out.add(new AuditPictures.Pending(input, rows, null, null, null));
        }
        return out;
    }

    @Test
    void everyRowReachesTheSinkOnce() {
        for (int threads : new int[] {1, 3}) {
            List<TopImage> seen = Collections.synchronizedList(new ArrayList<>());
            try (PictureStage stage = PictureStage.start(threads, d -> seen.add(d.row()))) {
                stage.drawAll(pending());
            }
            List<TopImage> all = pending().stream().flatMap(p -> p.rows().stream()).toList();
            assertThat(seen).as("%d threads", threads).containsExactlyInAnyOrderElementsOf(all);
        }
    }

    @Test
    void aFailingSinkStopsTheDrawingWithItsOwnException() {
        for (int threads : new int[] {1, 3}) {
            AtomicInteger calls = new AtomicInteger();
            try (PictureStage stage = PictureStage.start(threads, d -> {
                if (calls.incrementAndGet() == 5) {
                    throw new IllegalStateException("disk full");
                }
                pause(); // a row takes a while, as a real picture does
            })) {
                assertThatThrownBy(() -> stage.drawAll(pending())).isInstanceOf(IllegalStateException.class)
                        .hasMessage("disk full");
            }
            if (threads == 1) {
                assertThat(calls.get()).as("one thread stops at the failing row").isEqualTo(5);
            } else {
                // the other threads take no row once they see the failure; rows they were already on,
                // or took while its exception was on its way, still reach the sink
                assertThat(calls.get()).as("%d threads", threads).isBetween(5, ROWS - 1);
            }
        }
    }

    /**
     * 10 ms per row: the other threads would need 175 ms for the rows left, so they cannot drain
     * them in the moment between the failing call and the failure being seen.
     */
    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
