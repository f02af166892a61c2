package io.dnnvis.spark;

import io.dnnvis.methods.audit.AuditPictures;
import io.dnnvis.methods.render.Images;
import java.io.Serializable;
import java.util.Optional;

/**
 * One top row's pictures as PNG files' bytes, drawn on an executor and written by the driver.
 *
 * @param layer the layer's tensor name
 * @param reconstruction the reconstruction's PNG, null without a method
 */
record RowPictures(String layer, int unit, int rank, byte[] patch, byte[] reconstruction) implements Serializable {

    /** {@code drawn} encoded as the local audit encodes its files. */
    static RowPictures of(AuditPictures.Drawn drawn) {
        return new RowPictures(drawn.row().layer(), drawn.row().unit(), drawn.row().rank(), Images.png(drawn.patch()),
                drawn.reconstruction().map(Images::png).orElse(null));
    }

    Optional<byte[]> reconstructionPng() {
        return Optional.ofNullable(reconstruction);
    }
}
