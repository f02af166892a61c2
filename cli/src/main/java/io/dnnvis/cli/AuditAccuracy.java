package io.dnnvis.cli;

import io.dnnvis.cli.AuditTables.Prediction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How well the model's predictions match the true classes of the images that have one: the accuracy,
 * the confusions (a true class predicted as another, most frequent first) and the images of each class.
 * {@code labelled} counts the images that have a true class and a predicted one (an output without
 * classes predicts none).
 */
record AuditAccuracy(boolean truthKnown, int labelled, int correct, List<Confusion> confusions,
        Map<String, List<Prediction>> byClass) {

    /** {@code count} images of true class {@code truth} predicted as {@code predicted}, of {@code ofTruth} of that class. */
    record Confusion(String truth, String predicted, int count, int ofTruth) {
    }

    AuditAccuracy {
        confusions = List.copyOf(confusions);
        byClass = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byClass));
    }

    /**
     * The accuracy of {@code predictions}. Images are grouped by their true class when any image has one
     * (those without under an empty name), else by their predicted class; classes and their images sorted
     * by name.
     */
    static AuditAccuracy of(List<Prediction> predictions) {
        boolean anyTruth = predictions.stream().anyMatch(Prediction::labelled);
        Map<String, List<Prediction>> byClass = new TreeMap<>();
        Map<String, Integer> perTruth = new TreeMap<>();
        Map<List<String>, Integer> wrong = new LinkedHashMap<>();
        int labelled = 0;
        int correct = 0;
        for (Prediction p : predictions) {
            String key = anyTruth ? p.truth().strip() : p.shownClass();
            byClass.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
            if (!p.judged()) {
                continue;
            }
            labelled++;
            perTruth.merge(p.truth().strip(), 1, Integer::sum);
            if (p.correct()) {
                correct++;
            } else {
                wrong.merge(List.of(p.truth().strip(), p.shownClass()), 1, Integer::sum);
            }
        }
        byClass.values().forEach(l -> l.sort(Comparator.comparing(Prediction::image)));
        List<Confusion> confusions = new ArrayList<>();
        wrong.forEach((pair, n) -> confusions.add(new Confusion(pair.get(0), pair.get(1), n, perTruth.get(pair.get(0)))));
        confusions.sort(Comparator.comparingInt(Confusion::count).reversed().thenComparing(Confusion::truth)
                .thenComparing(Confusion::predicted));
        return new AuditAccuracy(anyTruth, labelled, correct, confusions, byClass);
    }

    /** Whether any image has a true class. */
    boolean hasTruth() {
        return truthKnown;
    }
}
