package io.dnnvis.cli;

import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.image.ImageReading;
import io.dnnvis.methods.image.Preprocessing;
import io.dnnvis.methods.image.ResizeMode;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The input of a command: an image (resized and preprocessed for the model) or a ready .npy tensor. */
final class ImageOptions {

    /** Exactly one of --image and --input-npy. */
    static final class Source {
        @Option(names = "--image", paramLabel = "FILE", description = "Input image (PNG or JPEG).")
        Path image;

        @Option(names = "--input-npy", paramLabel = "FILE", description = "Input tensor as .npy (float32/64).")
        Path npy;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--preprocess", paramLabel = "PRESET",
            description = "unit, imagenet, caffe, inception or raw (default: from the model's metadata, else imagenet).")
    Preprocessing preprocess;

    @Option(names = "--resize", defaultValue = "crop", paramLabel = "MODE",
            description = "crop (shorter side, centre crop), fit (pad) or stretch (default: ${DEFAULT-VALUE}).")
    ResizeMode resize;

    @Option(names = "--input-size", paramLabel = "HxW", description = "Input size for models with a dynamic size.")
    ImageSize inputSize;

    @Option(names = "--max-pixels", defaultValue = "" + ImageReading.DEFAULT_MAX_PIXELS, paramLabel = "N",
            description = "Refuse larger images before decoding them (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    /** The input read from disk; the picture is present for images. */
    record Loaded(TensorValue tensor, Optional<BufferedImage> picture, Path file) {

        /** Fails unless the input can be shown as a picture (NCHW, 1 or 3 channels). */
        void requirePicturable() {
            long[] shape = tensor.shape();
            if (shape.length != 4 || shape[0] != 1 || (shape[1] != 1 && shape[1] != 3)) {
                throw new UserException(file + ": pictures need an NCHW input of shape [1, 1|3, H, W], got "
                        + java.util.Arrays.toString(shape) + " (use --save-npy)");
            }
        }
    }

    Loaded load(OnnxModel model, PrintWriter err) {
        if (source.npy != null) {
            String name = model.graph().inputs().isEmpty() ? "input" : model.graph().inputs().get(0).name();
            return new Loaded(Npy.read(source.npy, name), Optional.empty(), source.npy);
        }
        int[] size = inputSize == null ? null : inputSize.toArray();
        ImageInput in = ImageInput.load(source.image, model, new ImageInput.Options(preprocess, resize, size, maxPixels));
        if (!in.notice().isEmpty()) {
            err.println(in.notice());
            err.flush();
        }
        return new Loaded(in.tensor(), Optional.of(in.picture()), source.image);
    }
}
