package io.dnnvis.modelbuild;

import java.util.Random;

/**
 * The model the tensor-limit tests share: input {@code [1, 3, H, W]} with a dynamic height and
 * width, a 1x1 convolution to 2048 channels (seeded weights), a Relu. Its conv output takes
 * {@code 4 * 2048 * H * W} bytes: 8 GiB at 1024x1024, 512 KiB at 8x8.
 */
public final class WideConvModel {

    /** Channels of the conv output. */
    public static final int CHANNELS = 2048;

    private WideConvModel() {
    }

    /** The builder holding the model; {@link #convOf} names its conv output. */
    public static ModelBuilder build() {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 3, -1, -1);
        b.output(b.relu(b.conv(x, 3, CHANNELS, 1, 1, 0, 1, new Random(1))));
        return b;
    }

    /** The conv output's tensor name in {@code model}. */
    public static String convOf(io.dnnvis.onnx.OnnxModel model) {
        return model.graph().nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow().output();
    }
}
