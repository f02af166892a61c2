package io.dnnvis.cli;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The input of a command: an image (resized and preprocessed for the model) or a ready .npy tensor. */
final class ImageOptions {

    /** Exactly one of --image and --input-npy. */
    static final class Source {
        @Option(names = "--image", paramLabel = "FILE", description = "Input image (PNG, JPEG, BMP, GIF or TIFF).")
        Path image;

        @Option(names = "--input-npy", paramLabel = "FILE",
                description = "Input tensor as .npy (" + Npy.ACCEPTED + "), laid out as the model declares its input (NHWC for an NHWC model).")
        Path npy;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Mixin
    PreprocessOptions preprocessing;

    /**
     * The input read from disk, in the model's layout; the picture is present for images.
     *
     * @param layout where the input keeps its channels (--layout, else from the graph)
     */
    record Loaded(TensorValue tensor, Optional<BufferedImage> picture, Path file, InputLayout layout) {

        /** Fails unless the input can be shown as a picture (4-D, one image, 1 or 3 channels). */
        void requirePicturable() {
            long[] shape = tensor.shape();
            if (shape.length != 4 || shape[0] != 1 || (layout.channels(shape) != 1 && layout.channels(shape) != 3)) {
                String expected = layout == InputLayout.NHWC ? "[1, H, W, 1|3]" : "[1, 1|3, H, W]";
                throw new UserException(file + ": pictures need an " + layout.label() + " input of shape " + expected
                        + ", got " + java.util.Arrays.toString(shape) + " (use --save-npy, or --layout)");
            }
        }

        /** The input as NCHW {@code [1, C, H, W]} (itself for an NCHW model), for drawing it. */
        TensorValue nchw() {
            long[] shape = tensor.shape();
            if (layout == InputLayout.NCHW || shape.length != 4) {
                return tensor;
            }
            return new TensorValue(tensor.name(), layout.toNchwShape(shape), layout.toNchw(tensor.data(), shape));
        }
    }

    Loaded load(OnnxModel model, PrintWriter err) {
        InputLayout resolved = preprocessing.layout(model);
        if (source.npy != null) {
            return PreprocessOptions.loadNpy(source.npy, model, resolved);
        }
        return preprocessing.loadImage(source.image, model, resolved, err);
    }
}
