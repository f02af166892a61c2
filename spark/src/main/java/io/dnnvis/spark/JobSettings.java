package io.dnnvis.spark;

import io.dnnvis.methods.audit.AuditMethod;
import io.dnnvis.methods.audit.AuditRequest;
import io.dnnvis.methods.audit.LabelSource;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.methods.image.Preprocessing;
import io.dnnvis.methods.image.ResizeMode;
import java.io.Serializable;
import java.util.List;

/**
 * What every task of the Spark audit needs besides the model's bytes (shipped once, by broadcast):
 * the model's digest (the key of the executor's session cache), the images' root and the audit's
 * options.
 *
 * @param modelSha256 the model file's SHA-256, hex
 * @param modelName the model file's name (in messages)
 * @param root the images' folder as a qualified Hadoop URI ({@code file:/data/images}, {@code hdfs://nn/x}),
 *     no trailing '/': an image's name in the tables is its path below it
 * @param preprocessing null: from the model's metadata, else ImageNet's
 * @param size the input size {@code {h, w}}, null: the model's
 * @param failOnceInPartition test hook: the first attempt of this partition's task fails; -1: none
 */
public record JobSettings(String modelSha256, String modelName, String root, List<String> layers, int top, int batch,
        LabelSource labels, Preprocessing preprocessing, ResizeMode resize, int[] size, long maxPixels,
        int failOnceInPartition) implements Serializable {

    private static final long serialVersionUID = 1L;

    public JobSettings {
        layers = List.copyOf(layers);
        size = size == null ? null : size.clone();
    }

    /** The audit's request on the executors: the top tables only (reconstructions are the driver's). */
    public AuditRequest request() {
        return new AuditRequest(layers, top, AuditMethod.NONE, batch, labels);
    }

    public ImageInput.Options imageOptions() {
        return new ImageInput.Options(preprocessing, resize, size, maxPixels);
    }

    /** The same settings with the test hook that fails {@code partition}'s first attempt. */
    public JobSettings failingOnceIn(int partition) {
        return new JobSettings(modelSha256, modelName, root, layers, top, batch, labels, preprocessing, resize, size,
                maxPixels, partition);
    }

    /** The path of the image named {@code name} in the tables: the inverse of {@link #nameOf}. */
    public String pathOf(String name) {
        return isQualified(name) ? name : root + "/" + name;
    }

    /** Whether {@code name} is a whole path (it starts with the root's scheme), as {@link #nameOf} leaves one. */
    private boolean isQualified(String name) {
        int colon = root.indexOf(':');
        return colon > 0 && name.startsWith(root.substring(0, colon + 1));
    }

    /** The image's name in the tables: its path below {@link #root}; the whole path when it is not below. */
    public String nameOf(String path) {
        String prefix = root + "/";
        return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
    }
}
