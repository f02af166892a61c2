package io.dnnvis.methods.audit;

import java.util.List;

/**
 * What an audit found: the top table (by layer in the request's order, unit, rank), the prediction
 * of every image (in the order of their paths), the files skipped (sorted) and the count of images
 * used.
 */
public record AuditResult(List<AuditLayer> layers, List<TopImage> top, List<Prediction> predictions,
        List<SkippedFile> skipped, int images) {

    public AuditResult {
        layers = List.copyOf(layers);
        top = List.copyOf(top);
        predictions = List.copyOf(predictions);
        skipped = List.copyOf(skipped);
    }

    /** The rows of one layer (by tensor name). */
    public List<TopImage> top(String tensor) {
        return top.stream().filter(t -> t.layer().equals(tensor)).toList();
    }
}
