package io.dnnvis.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tables a dataset audit writes into its output folder, read as records: {@code topk.csv},
 * {@code predictions.csv} and {@code skipped.csv}. The last two may be absent (an audit stopped early):
 * then they read as empty.
 */
record AuditTables(List<TopImage> top, List<Prediction> predictions, List<SkippedFile> skipped) {

    /** One row of topk.csv: the {@code rank}-th strongest image of {@code unit} of {@code layer} (a tensor name). */
    record TopImage(String layer, int unit, int rank, String image, int y, int x, double activation,
                    int y0, int x0, int y1, int x1) {
    }

    /**
     * One row of predictions.csv: the model's top class of {@code image} ({@code predicted}, with its
     * {@code label} when the model names its classes) and the true class when known (else empty).
     */
    record Prediction(String image, String predicted, String label, double score, String truth) {

        /** The predicted class as shown: its label, or its number when the model gives no label. */
        String shownClass() {
            return label.isBlank() && !predicted.equals("-1") ? predicted : label;
        }

        /** Whether the true class of the image is known. */
        boolean labelled() {
            return !truth.isBlank();
        }

        /** Whether the model gave this image a class (an output without classes gives none: -1, no label). */
        boolean hasClass() {
            return !(predicted.equals("-1") && label.isBlank());
        }

        /** Whether the prediction can be judged: a true class is known and the model gave one. */
        boolean judged() {
            return labelled() && hasClass();
        }

        /** Whether the prediction is the true class (by label or by class number); false when not labelled. */
        boolean correct() {
            String t = truth.strip();
            return labelled() && (t.equals(label.strip()) || t.equals(predicted.strip()));
        }
    }

    /** One row of skipped.csv: a file the audit did not use, and why. */
    record SkippedFile(String file, String reason) {
    }

    static final List<String> TOPK_COLUMNS =
            List.of("layer", "unit", "rank", "image", "y", "x", "activation", "y0", "x0", "y1", "x1");
    static final List<String> PREDICTION_COLUMNS = List.of("image", "predicted", "label", "score", "true");
    static final List<String> SKIPPED_COLUMNS = List.of("file", "reason");

    AuditTables {
        top = List.copyOf(top);
        predictions = List.copyOf(predictions);
        skipped = List.copyOf(skipped);
    }

    /** Reads the tables of the audit in {@code out}; topk.csv must exist. */
    static AuditTables read(Path out) {
        return new AuditTables(readTop(out.resolve("topk.csv")), readPredictions(out.resolve("predictions.csv")),
                readSkipped(out.resolve("skipped.csv")));
    }

    /** The predictions by image (the first row of an image when it appears twice). */
    Map<String, Prediction> predictionsByImage() {
        Map<String, Prediction> byImage = new LinkedHashMap<>();
        for (Prediction p : predictions) {
            byImage.putIfAbsent(p.image(), p);
        }
        return byImage;
    }

    private static List<TopImage> readTop(Path file) {
        CsvTable t = CsvTable.read(file, TOPK_COLUMNS);
        List<TopImage> rows = new ArrayList<>(t.rows().size());
        for (CsvTable.Row r : t.rows()) {
            TopImage row = new TopImage(t.get(r, "layer"), t.integer(r, "unit"), t.integer(r, "rank"),
                    t.get(r, "image"), t.integer(r, "y"), t.integer(r, "x"), t.anyNumber(r, "activation"),
                    t.integer(r, "y0"), t.integer(r, "x0"), t.integer(r, "y1"), t.integer(r, "x1"));
            if (row.unit() < 0 || row.rank() < 1) {
                throw new UserException(file + ": line " + r.line() + ": unit must be >= 0 and rank >= 1");
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<Prediction> readPredictions(Path file) {
        if (absent(file)) {
            return List.of();
        }
        CsvTable t = CsvTable.read(file, PREDICTION_COLUMNS);
        List<Prediction> rows = new ArrayList<>(t.rows().size());
        for (CsvTable.Row r : t.rows()) {
            rows.add(new Prediction(t.get(r, "image"), t.get(r, "predicted"), t.get(r, "label"),
                    t.anyNumber(r, "score"), t.get(r, "true")));
        }
        return rows;
    }

    private static List<SkippedFile> readSkipped(Path file) {
        if (absent(file)) {
            return List.of();
        }
        CsvTable t = CsvTable.read(file, SKIPPED_COLUMNS);
        List<SkippedFile> rows = new ArrayList<>(t.rows().size());
        for (CsvTable.Row r : t.rows()) {
            rows.add(new SkippedFile(t.get(r, "file"), t.get(r, "reason")));
        }
        return rows;
    }

    private static boolean absent(Path file) {
        return !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }
}
