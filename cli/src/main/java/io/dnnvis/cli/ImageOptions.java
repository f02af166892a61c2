package io.dnnvis.cli;

import io.dnnvis.methods.core.InputLayout;
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

        @Option(names = "--input-npy", paramLabel = "FILE",
                description = "Input tensor as .npy (" + Npy.ACCEPTED + "), laid out as the model declares its input (NHWC for an NHWC model).")
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

    @Option(names = "--layout", paramLabel = "nchw|nhwc",
            description = "Where the model's input keeps its channels (default: from the graph: a Transpose "
                    + "[0,3,1,2] after the input, or a last dimension of 1 or 3, means nhwc).")
    InputLayout layout;

    @Option(names = "--max-pixels", defaultValue = "" + ImageReading.DEFAULT_MAX_PIXELS, paramLabel = "N",
            description = "Refuse larger images before decoding them (default: ${DEFAULT-VALUE}).")
    long maxPixels;

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
        InputLayout resolved = InputLayout.resolve(model, Optional.ofNullable(layout));
        if (source.npy != null) {
            String name = model.graph().inputs().isEmpty() ? "input" : model.graph().inputs().get(0).name();
            TensorValue tensor = Npy.read(source.npy, name);
            InputNpyCheck.requireFits(source.npy, tensor, model, resolved);
            return new Loaded(tensor, Optional.empty(), source.npy, resolved);
        }
        int[] size = inputSize == null ? null : inputSize.toArray();
        ImageInput in = ImageInput.load(source.image, model, new ImageInput.Options(preprocess, resize, size, maxPixels),
                resolved);
        for (String line : new String[] {in.notice(), in.warning()}) {
            if (!line.isEmpty()) {
                err.println(line);
            }
        }
        err.flush();
        return new Loaded(in.tensor(), Optional.of(in.picture()), source.image, resolved);
    }
}
