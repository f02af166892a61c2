package io.dnnvis.methods.audit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Packs one layer's top rows into backward runs over several images at once: a run takes
 * {@code images} slots, each an image and up to {@code signals} of its rows, and runs
 * {@code signals} start signals in every slot (a signal with no row is zero: work that is wasted).
 * An image with more rows than {@code signals} takes several slots. The slots are sorted by their
 * number of rows, largest first, so that the slots of a run hold about as many rows each and few
 * signals are wasted; a run's signal count is its largest slot's.
 */
final class ImageRuns {

    /** An image and the rows of it one run reconstructs (at most the run's signal count). */
    record Slot(String image, List<TopImage> rows) {
        Slot {
            rows = List.copyOf(rows);
        }
    }

    /**
     * One backward run: {@code signals} start signals in each of its slots.
     *
     * @param slots at most the planned number of images (the last run may have fewer)
     */
    record Run(int signals, List<Slot> slots) {
        Run {
            slots = List.copyOf(slots);
        }

        /** The rows of every slot, which the run reconstructs. */
        int rows() {
            return slots.stream().mapToInt(s -> s.rows().size()).sum();
        }
    }

    private ImageRuns() {
    }

    /**
     * @param rowsByImage one layer's rows by image, in the order the slots of equal size keep
     * @param images slots per run, at least 1
     * @param signals start signals per slot at most, at least 1
     */
    static List<Run> plan(Map<String, List<TopImage>> rowsByImage, int images, int signals) {
        if (images < 1 || signals < 1) {
            throw new IllegalArgumentException("images " + images + " and signals " + signals + " must be positive");
        }
        List<Slot> slots = new ArrayList<>();
        for (var e : rowsByImage.entrySet()) {
            List<TopImage> rows = e.getValue();
            for (int from = 0; from < rows.size(); from += signals) {
                slots.add(new Slot(e.getKey(), rows.subList(from, Math.min(rows.size(), from + signals))));
            }
        }
        slots.sort(Comparator.comparingInt((Slot s) -> s.rows().size()).reversed()); // stable
        List<Run> runs = new ArrayList<>();
        for (int from = 0; from < slots.size(); from += images) {
            List<Slot> run = slots.subList(from, Math.min(slots.size(), from + images));
            runs.add(new Run(run.get(0).rows().size(), run));
        }
        return runs;
    }
}
