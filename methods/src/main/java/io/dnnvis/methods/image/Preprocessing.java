package io.dnnvis.methods.image;

import java.util.Locale;
import java.util.Optional;

/** Pixel preprocessing presets: what the model expects its input values to be. */
public enum Preprocessing {
    /** RGB in [0, 1]. */
    UNIT,
    /** RGB in [0, 1], minus mean (0.485, 0.456, 0.406), divided by std (0.229, 0.224, 0.225). */
    IMAGENET,
    /** BGR in 0..255 minus (103.939, 116.779, 123.68) (Caffe and Keras "caffe" models). */
    CAFFE,
    /** RGB in [-1, 1] (Inception, MobileNet from TensorFlow). */
    INCEPTION,
    /** RGB in 0..255. */
    RAW;

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final float[] CAFFE_MEAN_BGR = {103.939f, 116.779f, 123.68f};

    public static Preprocessing parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown preprocessing '" + text
                    + "' (unit, imagenet, caffe, inception or raw)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The model's value for one pixel channel.
     *
     * @param rgb the pixel's red, green, blue in 0..255
     * @param channel the model's channel (0..2): for CAFFE channel 0 is blue
     */
    public float apply(float[] rgb, int channel) {
        return switch (this) {
            case UNIT -> rgb[channel] / 255f;
            case IMAGENET -> (rgb[channel] / 255f - IMAGENET_MEAN[channel]) / IMAGENET_STD[channel];
            case CAFFE -> rgb[2 - channel] - CAFFE_MEAN_BGR[channel];
            case INCEPTION -> rgb[channel] / 127.5f - 1f;
            case RAW -> rgb[channel];
        };
    }

    /**
     * The preset a model's {@code metadata_props} describe (key {@code input}, or {@code preprocessing}),
     * e.g. GlyphNet's "RGB, NCHW, 64x64, pixel values scaled to [0,1], no mean or std".
     */
    public static Optional<Preprocessing> fromMetadata(java.util.Map<String, String> metadata) {
        String text = metadata.getOrDefault("preprocessing", metadata.getOrDefault("input", ""))
                .toLowerCase(Locale.ROOT).replace(" ", "");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        for (Preprocessing p : values()) {
            if (text.equals(p.label())) {
                return Optional.of(p);
            }
        }
        if (text.contains("imagenet")) {
            return Optional.of(IMAGENET);
        }
        if (text.contains("bgr") && text.contains("caffe")) {
            return Optional.of(CAFFE);
        }
        if (text.contains("[-1,1]")) {
            return Optional.of(INCEPTION);
        }
        if (text.contains("[0,1]")) {
            return Optional.of(UNIT);
        }
        if (text.contains("0-255") || text.contains("[0,255]")) {
            return Optional.of(RAW);
        }
        return Optional.empty();
    }
}
