package io.dnnvis.methods.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The packing of a layer's rows into runs over several images: every row once, in a slot of its own
 * image, no slot over the signal count, no run over the image count, runs from the fullest down.
 */
class ImageRunsTest {

    @Test
    void everyRowRunsOnceInASlotOfItsImage() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            Map<String, List<TopImage>> byImage = new TreeMap<>();
            int images = 1 + rnd.nextInt(40);
            List<TopImage> all = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                String name = "img" + i + ".png";
                int rows = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(30) : rnd.nextInt(3));
                for (int r = 0; r < rows; r++) {
                    TopImage row = new TopImage("conv5", all.size(), 1, name, 0, 0, 1f,
                            new ReceptiveField.Box(0, 0, 0, 0));
                    all.add(row);
                    byImage.computeIfAbsent(name, k -> new ArrayList<>()).add(row);
                }
            }
            int perRun = 1 + rnd.nextInt(8);
            int signals = 1 + rnd.nextInt(8);
            List<ImageRuns.Run> runs = ImageRuns.plan(byImage, perRun, signals);
            List<TopImage> seen = new ArrayList<>();
            int previous = Integer.MAX_VALUE;
            for (ImageRuns.Run run : runs) {
                assertThat(run.slots()).isNotEmpty().hasSizeLessThanOrEqualTo(perRun);
                assertThat(run.signals()).isLessThanOrEqualTo(signals).isLessThanOrEqualTo(previous);
                previous = run.signals();
                for (ImageRuns.Slot slot : run.slots()) {
                    assertThat(slot.rows()).isNotEmpty().hasSizeLessThanOrEqualTo(run.signals());
                    assertThat(slot.rows()).allSatisfy(r -> assertThat(r.image()).isEqualTo(slot.image()));
                    seen.addAll(slot.rows());
                }
                assertThat(run.rows()).isEqualTo(run.slots().stream().mapToInt(s -> s.rows().size()).sum());
            }
            assertThat(seen).containsExactlyInAnyOrderElementsOf(all);
            Set<TopImage> unique = new HashSet<>(seen);
            assertThat(unique).hasSameSizeAs(seen);
            // only the last run may have empty slots
            for (int k = 0; k + 1 < runs.size(); k++) {
                assertThat(runs.get(k).slots()).hasSize(perRun);
            }
        }
    }

    @Test
    void anImageWithMoreRowsThanSignalsTakesSeveralSlotsAndFullSlotsRunFirst() {
        Map<String, List<TopImage>> byImage = new TreeMap<>();
        for (int r = 0; r < 20; r++) {
            byImage.computeIfAbsent("a.png", k -> new ArrayList<>()).add(row("a.png", r));
        }
        byImage.put("b.png", List.of(row("b.png", 20)));
        byImage.put("c.png", List.of(row("c.png", 21), row("c.png", 22)));
        List<ImageRuns.Run> runs = ImageRuns.plan(byImage, 2, 8);
        assertThat(runs).hasSize(3);
        assertThat(runs.get(0).signals()).isEqualTo(8);
        assertThat(runs.get(0).slots()).extracting(ImageRuns.Slot::image).containsExactly("a.png", "a.png");
        assertThat(runs.get(1).signals()).isEqualTo(4);
        assertThat(runs.get(1).slots()).extracting(s -> s.rows().size()).containsExactly(4, 2);
        assertThat(runs.get(2).signals()).isEqualTo(1);
        assertThat(runs.get(2).slots()).extracting(ImageRuns.Slot::image).containsExactly("b.png");
        assertThatThrownBy(() -> ImageRuns.plan(byImage, 0, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageRuns.plan(byImage, 2, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static TopImage row(String image, int unit) {
        return new TopImage("conv5", unit, 1, image, 0, 0, 1f, new ReceptiveField.Box(0, 0, 0, 0));
    }
}
