package io.dnnvis.methods.image;

import java.util.Locale;

/** How an image is brought to the model's input size. */
public enum ResizeMode {
    /** Shorter side to the size, then a centred crop (the default; what ImageNet models expect). */
    CROP,
    /** Longer side to the size, the rest padded with black, centred: nothing is cut away. */
    FIT,
    /** Both sides to the size, ignoring the aspect ratio. */
    STRETCH;

    public static ResizeMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown resize mode '" + text + "' (crop, fit or stretch)");
        }
    }
}
