package io.dnnvis.methods.audit;

import java.io.Serializable;

/**
 * One row of the audit's top table: the image of rank {@code rank} (1 = the strongest) of unit
 * {@code unit} of layer {@code layer}, where the unit's map is largest ({@code y}, {@code x}: the first
 * maximum in row-major order), the value there and the receptive field of that position.
 *
 * @param layer the layer's tensor name
 * @param image the image's path relative to the audited folder, '/' separators
 */
public record TopImage(String layer, int unit, int rank, String image, int y, int x, float activation,
        ReceptiveField.Box box) implements Serializable {
}
