package io.dnnvis.methods.audit;

import io.dnnvis.methods.core.BadRequestException;
import java.util.List;
import java.util.Objects;

/**
 * What a dataset audit computes: for every unit (channel) of each layer, the {@code top} images with
 * the largest response (the unit's spatial maximum), and with {@code method} the reconstruction of
 * the unit at that maximum for each of them.
 *
 * @param layers aliases, node names or tensor names of the layers to watch (at least one, no repeats)
 * @param top how many images to keep per unit (K)
 * @param method the backward net of the reconstructions, or {@link AuditMethod#NONE}
 * @param batch images per forward run (the model's batch axis permitting; else one at a time)
 * @param labels where the images' true classes come from
 */
public record AuditRequest(List<String> layers, int top, AuditMethod method, int batch, LabelSource labels) {

    public static final int DEFAULT_TOP = 9;
    public static final int DEFAULT_BATCH = 16;

    public AuditRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(labels, "labels");
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new BadRequestException("an audit needs at least one layer");
        }
        if (layers.stream().distinct().count() != layers.size()) {
            throw new BadRequestException("a layer is named twice: " + layers);
        }
        if (top < 1) {
            throw new BadRequestException("the number of top images per unit must be positive, got " + top);
        }
        if (batch < 1) {
            throw new BadRequestException("the batch must be positive, got " + batch);
        }
    }

    /** The top 9 of every unit of {@code layers}, DeconvNet reconstructions, batches of 16, no true classes. */
    public static AuditRequest of(String... layers) {
        return new AuditRequest(List.of(layers), DEFAULT_TOP, AuditMethod.DECONVNET, DEFAULT_BATCH, LabelSource.NONE);
    }

    public AuditRequest withTop(int k) {
        return new AuditRequest(layers, k, method, batch, labels);
    }

    public AuditRequest withMethod(AuditMethod m) {
        return new AuditRequest(layers, top, m, batch, labels);
    }

    public AuditRequest withBatch(int b) {
        return new AuditRequest(layers, top, method, b, labels);
    }

    public AuditRequest withLabels(LabelSource l) {
        return new AuditRequest(layers, top, method, batch, l);
    }
}
