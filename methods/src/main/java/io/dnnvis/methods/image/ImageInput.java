package io.dnnvis.methods.image;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.ValueInfo;
import io.dnnvis.trace.BadInputException;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * An image made into a model's input: resized to the model's input size, preprocessed, laid out
 * NCHW or NHWC as the model's input is ({@link InputLayout}), with the picture as the model saw it.
 *
 * @param tensor the model input {@code [1, 3, H, W]} or {@code [1, H, W, 3]}
 * @param picture the image after resizing/cropping, for display
 * @param preprocessing the preset used
 * @param notice a one-line remark for the user (e.g. a default that was assumed), or empty
 * @param warning a one-line warning (an image enlarged more than {@link Upscaling#MAX_FACTOR} times on a
 *     side to reach the input size), or empty
 */
public record ImageInput(TensorValue tensor, BufferedImage picture, Preprocessing preprocessing, String notice,
        String warning) {

    /** How to turn an image into input. Null fields mean: from the model (metadata, declared shape). */
    public record Options(Preprocessing preprocessing, ResizeMode resize, int[] size, long maxPixels) {

        public static Options defaults() {
            return new Options(null, ResizeMode.CROP, null, ImageReading.DEFAULT_MAX_PIXELS);
        }
    }

    /**
     * Reads {@code file} and prepares it for {@code model}'s (single, 4-D, 3-channel) input, laid
     * out as {@link InputLayout#of(OnnxModel) decided from the graph}.
     */
    public static ImageInput load(Path file, OnnxModel model, Options options) {
        return load(file, model, options, InputLayout.of(model));
    }

    /** Reads {@code file} and prepares it for {@code model}'s (single, 4-D, 3-channel) input in {@code layout}. */
    public static ImageInput load(Path file, OnnxModel model, Options options, InputLayout layout) {
        return load(file.toString(), maxPixels -> ImageReading.read(file, maxPixels), model, options, layout);
    }

    /**
     * Decodes an image's bytes, {@code content} (named {@code name} in messages: its path or URI), and
     * prepares it for {@code model}'s input in {@code layout}: the same checks, limits and values as
     * {@link #load(Path, OnnxModel, Options, InputLayout)} of a file with that content, without one.
     */
    public static ImageInput load(byte[] content, String name, OnnxModel model, Options options, InputLayout layout) {
        return load(name, maxPixels -> ImageReading.read(content, name, maxPixels), model, options, layout);
    }

    private static ImageInput load(String file, LongFunction<BufferedImage> read, OnnxModel model, Options options,
            InputLayout layout) {
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            throw new BadInputException(model.path() + ": images feed models with one input; this one has "
                    + inputs.size());
        }
        ValueInfo input = inputs.get(0);
        List<Dim> dims = input.shape().orElseThrow(() -> new BadInputException(model.path() + ": input '"
                + input.name() + "' declares no shape; give --input-size HxW"));
        if (dims.size() != 4) {
            throw new BadInputException(model.path() + ": input '" + input.name() + "' has rank " + dims.size()
                    + "; images need a 4-D input");
        }
        boolean nhwc = layout == InputLayout.NHWC;
        int hAxis = layout.heightAxis();
        int channelAxis = layout.channelAxis();
        if (dims.get(channelAxis).isFixed() && dims.get(channelAxis).value() != 3) {
            throw new BadInputException(model.path() + ": input '" + input.name() + "' has "
                    + dims.get(channelAxis).value() + " channels; images give 3 (RGB)");
        }
        int height;
        int width;
        if (options.size() != null) {
            height = options.size()[0];
            width = options.size()[1];
            checkFits(model, input, dims.get(hAxis), height, "height");
            checkFits(model, input, dims.get(hAxis + 1), width, "width");
        } else if (dims.get(hAxis).isFixed() && dims.get(hAxis + 1).isFixed()) {
            height = InputSize.toInt(dims.get(hAxis).value(), model.path() + ": input '" + input.name() + "'");
            width = InputSize.toInt(dims.get(hAxis + 1).value(), model.path() + ": input '" + input.name() + "'");
        } else {
            throw new BadInputException(model.path() + ": input '" + input.name() + "' has dynamic size " + dims
                    + "; give --input-size HxW");
        }
        String notice = "";
        Preprocessing preprocessing = options.preprocessing();
        if (preprocessing == null) {
            Optional<Preprocessing> described = Preprocessing.fromMetadata(model.metadata());
            preprocessing = described.orElse(Preprocessing.IMAGENET);
            if (described.isEmpty()) {
                notice = "note: the model does not describe its input; assuming --preprocess imagenet";
            }
        }
        InputSize.requireReasonable(width, height, options.size() != null ? "--input-size " + height + "x" + width
                : model.path() + ": input '" + input.name() + "'");
        BufferedImage image = read.apply(options.maxPixels());
        String warning = Upscaling.warning(file, image.getWidth(), image.getHeight(), width, height, options.resize());
        BufferedImage picture = resize(image, width, height, options.resize());
        float[] data = new float[3 * height * width];
        float[] rgb = new float[3];
        int[] pixels = packedRgb(picture, 0, 0, width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = pixels[y * width + x];
                rgb[0] = (p >> 16) & 0xff;
                rgb[1] = (p >> 8) & 0xff;
                rgb[2] = p & 0xff;
                for (int c = 0; c < 3; c++) {
                    int index = nhwc ? (y * width + x) * 3 + c : (c * height + y) * width + x;
                    data[index] = preprocessing.apply(rgb, c);
                }
            }
        }
        long[] shape = nhwc ? new long[] {1, height, width, 3} : new long[] {1, 3, height, width};
        return new ImageInput(new TensorValue(input.name(), shape, data), picture, preprocessing, notice,
                warning);
    }

    private static void checkFits(OnnxModel model, ValueInfo input, Dim dim, int size, String what) {
        if (size <= 0) {
            throw new BadInputException("--input-size must be positive");
        }
        if (dim.isFixed() && dim.value() != size) {
            throw new BadInputException(model.path() + ": input '" + input.name() + "' has a fixed " + what + " of "
                    + dim.value() + ", not " + size);
        }
    }

    /** The image brought to {@code width x height} with {@code mode}, antialiased when shrinking. */
    public static BufferedImage resize(BufferedImage image, int width, int height, ResizeMode mode) {
        InputSize.requireReasonable(width, height, "the output");
        int w = image.getWidth();
        int h = image.getHeight();
        double x0 = 0;
        double y0 = 0;
        double spanW = w;
        double spanH = h;
        int outW = width;
        int outH = height;
        int offsetX = 0;
        int offsetY = 0;
        switch (mode) {
            case STRETCH -> { }
            case CROP -> {
                double scale = Math.max((double) width / w, (double) height / h);
                spanW = width / scale;
                spanH = height / scale;
                x0 = (w - spanW) / 2;
                y0 = (h - spanH) / 2;
            }
            case FIT -> {
                double scale = Math.min((double) width / w, (double) height / h);
                outW = (int) Math.max(1, Math.min(width, Math.round(w * scale)));
                outH = (int) Math.max(1, Math.min(height, Math.round(h * scale)));
                offsetX = (width - outW) / 2;
                offsetY = (height - outH) / 2;
            }
            default -> throw new IllegalStateException();
        }
        // only the pixels the output reads: a crop of a tall image reads a few of its rows
        int[] cols = Resampler.window(w, x0, spanW, outW);
        int[] rows = Resampler.window(h, y0, spanH, outH);
        int winW = cols[1] - cols[0] + 1;
        int winH = rows[1] - rows[0] + 1;
        int[] pixels = packedRgb(image, cols[0], rows[0], winW, winH);
        float[][] resized = Resampler.resizeRgb(pixels, w, h, cols[0], rows[0], winW, winH, x0, y0, spanW, spanH,
                outW, outH);
        int[] packed = new int[outW * outH];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = (clamp(resized[0][i]) << 16) | (clamp(resized[1][i]) << 8) | clamp(resized[2][i]);
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.getRaster().setDataElements(offsetX, offsetY, outW, outH, packed);
        return out;
    }

    /**
     * The packed RGB pixels ({@code 0xRRGGBB}) of a region, row-major: straight from the raster for
     * the types ImageIO decodes PNG and JPEG into (three bytes BGR, packed int RGB), else through
     * the colour model.
     */
    static int[] packedRgb(BufferedImage image, int x, int y, int w, int h) {
        int type = image.getType();
        if (type == BufferedImage.TYPE_3BYTE_BGR) {
            byte[] samples = (byte[]) image.getRaster().getDataElements(x, y, w, h, null); // R, G, B per pixel
            int[] out = new int[w * h];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((samples[3 * i] & 0xff) << 16) | ((samples[3 * i + 1] & 0xff) << 8) | (samples[3 * i + 2] & 0xff);
            }
            return out;
        }
        if (type == BufferedImage.TYPE_INT_RGB) {
            int[] rgb = (int[]) image.getRaster().getDataElements(x, y, w, h, null);
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] &= 0xffffff;
            }
            return rgb;
        }
        return image.getRGB(x, y, w, h, null, 0, w);
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }
}
