package io.dnnvis.methods.audit;

import java.io.Serializable;

/**
 * The model's top class for one image.
 *
 * @param image the image's path relative to the audited folder, '/' separators
 * @param predicted the index of the largest value of the model's (first) output
 * @param label the class's label from the model's metadata, else its index
 * @param score that largest value, as the model gives it (logit or probability)
 * @param trueLabel the image's class from its folder or file name, empty when none is known
 */
public record Prediction(String image, int predicted, String label, float score, String trueLabel)
        implements Serializable {
}
