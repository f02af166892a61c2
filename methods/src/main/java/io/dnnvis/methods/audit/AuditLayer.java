package io.dnnvis.methods.audit;

import java.util.List;

/**
 * A layer an audit watched.
 *
 * @param tensor its tensor name (the {@code layer} column of the top table)
 * @param alias its alias ({@code relu2}), empty when it has none
 * @param units its channels
 * @param shape its shape for one image ({@code [1, C, h, w]} or {@code [1, K]})
 */
public record AuditLayer(String tensor, String alias, int units, List<Long> shape) {

    public AuditLayer {
        shape = List.copyOf(shape);
    }
}
