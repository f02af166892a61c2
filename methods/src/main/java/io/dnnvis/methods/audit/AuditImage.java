package io.dnnvis.methods.audit;

import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.UserErrorException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One file of an audit made into the model's input, or the reason it cannot be used (not an image,
 * cannot be decoded, too large, another size than the model's input): never an exception.
 *
 * @param file the image's name in the audit (its path relative to the audited folder)
 * @param data the input values of one image, null when skipped
 * @param skipped why it was skipped, null when it was not
 */
public record AuditImage(String file, float[] data, SkippedFile skipped) {

    /** Reads {@code path} (named {@code file} in the audit) as input of {@code inputShape}. */
    public static AuditImage decode(Path path, String file, OnnxModel model, ImageInput.Options options,
            InputLayout layout, long[] inputShape) {
        return decode(file, path.toString(), () -> ImageInput.load(path, model, options, layout), inputShape);
    }

    /**
     * Decodes an image's bytes, {@code content} (named {@code file} in the audit), as input of
     * {@code inputShape}: the same values and skip reasons as {@link #decode(Path, String, OnnxModel,
     * ImageInput.Options, InputLayout, long[]) decode} of a file with that content.
     */
    public static AuditImage decode(byte[] content, String file, OnnxModel model, ImageInput.Options options,
            InputLayout layout, long[] inputShape) {
        return decode(file, file, () -> ImageInput.load(content, file, model, options, layout), inputShape);
    }

    /** {@code load}'s image as input of {@code inputShape}, or why not; {@code named}: how its messages name it. */
    private static AuditImage decode(String file, String named, Supplier<ImageInput> load, long[] inputShape) {
        try {
            ImageInput in = load.get();
            if (!Arrays.equals(in.tensor().shape(), inputShape)) {
                return skip(file, "becomes input " + Arrays.toString(in.tensor().shape()) + ", not "
                        + Arrays.toString(inputShape));
            }
            return new AuditImage(file, in.tensor().data(), null);
        } catch (UserErrorException e) {
            return skip(file, reason(e.getMessage(), named));
        } catch (OutOfMemoryError e) {
            return skip(file, "too large to decode in the memory available");
        } catch (RuntimeException e) {
            return skip(file, "cannot be decoded (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static AuditImage skip(String file, String reason) {
        return new AuditImage(file, null, new SkippedFile(file, reason));
    }

    /** The message without the path it starts with, on one line. */
    static String reason(String message, String path) {
        String m = message == null ? "cannot be read" : message;
        if (m.startsWith(path + ": ")) {
            m = m.substring(path.length() + 2);
        }
        return m.replaceAll("\\s+", " ").strip();
    }
}
