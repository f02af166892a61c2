package io.dnnvis.cli;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.image.ImageReading;
import io.dnnvis.methods.image.Preprocessing;
import io.dnnvis.methods.image.ResizeMode;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How an image becomes the model's input: preprocessing, resizing, size, layout and the pixel limit. */
final class PreprocessOptions {

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

    @Option(names = "--max-pixels", defaultValue = "" + ImageReading.DEFAULT_MAX_PIXELS, paramLabel = "N", converter = Bounded.PositiveLong.class,
            description = "Refuse larger images before decoding them (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    /** Where the model's input keeps its channels: --layout, else from the graph. */
    InputLayout layout(OnnxModel model) {
        return InputLayout.resolve(model, Optional.ofNullable(layout));
    }

    /** {@code file} decoded, resized and preprocessed for {@code model}; notices and warnings on {@code err}. */
    ImageOptions.Loaded loadImage(Path file, OnnxModel model, InputLayout resolved, PrintWriter err) {
        int[] size = inputSize == null ? null : inputSize.toArray();
        ImageInput in = ImageInput.load(file, model, new ImageInput.Options(preprocess, resize, size, maxPixels),
                resolved);
        for (String line : new String[] {in.notice(), in.warning()}) {
            if (!line.isEmpty()) {
                err.println(line);
            }
        }
        err.flush();
        return new ImageOptions.Loaded(in.tensor(), Optional.of(in.picture()), file, resolved);
    }

    /** A ready input tensor from {@code file}, checked against the model's input. */
    static ImageOptions.Loaded loadNpy(Path file, OnnxModel model, InputLayout resolved) {
        String name = model.graph().inputs().isEmpty() ? "input" : model.graph().inputs().get(0).name();
        TensorValue tensor = Npy.read(file, name).requireFinite(file.toString());
        InputNpyCheck.requireFits(file, tensor, model, resolved);
        return new ImageOptions.Loaded(tensor, Optional.empty(), file, resolved);
    }
}
