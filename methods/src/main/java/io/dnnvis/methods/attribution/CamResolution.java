package io.dnnvis.methods.attribution;

import io.dnnvis.methods.core.BadRequestException;
import java.util.Locale;

/**
 * Where a class activation map is given: at the layer ({@code [1, h, w]}, the raw map), or at the
 * input ({@code [1, H, W]}: the map minus its minimum, divided by 1e-7 plus its maximum, then
 * resized bilinearly with half-pixel centres, as pytorch-grad-cam shows it).
 */
public enum CamResolution {
    LAYER, INPUT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CamResolution parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "layer" -> LAYER;
            case "input" -> INPUT;
            default -> throw new BadRequestException("unknown --resolution '" + text + "' (layer or input)");
        };
    }
}
