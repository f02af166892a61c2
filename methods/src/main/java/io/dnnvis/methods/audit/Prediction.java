package io.dnnvis.methods.audit;

import java.io.Serializable;

/**
 * The model's top class for one image, from the model's (first) output: a class vector ({@code [N, K]}
 * or {@code [N, K, 1, 1]}), a segmentation output or a sequence output, laid out as its
 * {@link io.dnnvis.methods.core.OutputLayout} says.
 *
 * @param image the image's path relative to the audited folder, '/' separators
 * @param predicted the index of the largest score; of a segmentation output, the class that scores
 *     highest at most pixels; -1 for a sequence output, and for an output that is none of these
 * @param label the class's label from the model's metadata, else its index; of a sequence output,
 *     the labels of its greedy CTC decoding (repeats collapsed, blank 0 dropped), separated by spaces
 * @param score that largest score, as the model gives it (logit or probability); of a segmentation
 *     output, the share of the pixels the class wins (0 to 1); of a sequence output, the mean over
 *     the steps of each step's top score; NaN where no class is read
 * @param trueLabel the image's class from its folder or file name, empty when none is known
 */
public record Prediction(String image, int predicted, String label, float score, String trueLabel)
        implements Serializable {
}
