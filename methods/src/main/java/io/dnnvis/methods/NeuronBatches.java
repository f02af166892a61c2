package io.dnnvis.methods;

import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardSpec;
import io.dnnvis.trace.backward.ChannelSelections;
import io.dnnvis.trace.backward.StartSignal;
import io.dnnvis.trace.backward.rules.Pooling;

/**
 * Reconstructions of N different images in one backward run, each from one neuron at one position
 * of a layer (a dataset audit's top images of a unit): the images run as a batch and the start
 * signal is 1 at each image's own neuron, so every image gets what {@link TargetRequest} with
 * {@link io.dnnvis.methods.core.Target.NeuronScore} at that position gives it alone (switch pooling,
 * Relu the only gate). Only for models whose input leaves the batch open ({@link #available}).
 */
public final class NeuronBatches {

    private NeuronBatches() {
    }

    /** Whether the model's input leaves its batch size open. */
    public static boolean available(Visualizer vis) {
        var inputs = vis.model().graph().inputs();
        return inputs.size() == 1 && inputs.get(0).hasOpenBatch();
    }

    /** How many images of {@code oneInput}'s shape (batch 1) one run may take for a start at {@code tensor}. */
    public static int limit(Visualizer vis, String tensor, long[] oneInput) {
        return vis.engine().batchLimit(tensor, oneInput);
    }

    /**
     * @param tensor the layer's tensor, {@code [N, C, h, w]} or {@code [N, K]} at this batch
     * @param images N images {@code [N, ...]} in the model's layout
     * @param channels each image's neuron (channel or unit)
     * @param ys each image's row in the layer's map (ignored for a 2-D layer)
     * @param xs each image's column
     * @return the N reconstructions {@code [N, C, H, W]}, NCHW whatever the model's layout
     */
    public static TensorValue run(Visualizer vis, BackwardMethod method, String tensor, TensorValue images,
            int[] channels, int[] ys, int[] xs) {
        long[] one = images.shape().clone();
        one[0] = 1;
        long[] layer = vis.engine().shapes(tensor, one).get(tensor);
        int n = (int) images.shape()[0];
        int per = 1;
        for (int k = 1; k < layer.length; k++) {
            per *= (int) layer[k];
        }
        int plane = layer.length == 4 ? (int) (layer[2] * layer[3]) : 1;
        int width = layer.length == 4 ? (int) layer[3] : 1;
        float[] mask = new float[n * per];
        for (int k = 0; k < n; k++) {
            int at = layer.length == 4 ? ys[k] * width + xs[k] : 0;
            mask[k * per + channels[k] * plane + at] = 1;
        }
        BackwardSpec spec = new BackwardSpec(tensor, method.rules().withPooling(Pooling.SWITCH), StartSignal.ONES,
                false);
        return Reconstructor.asNchw(vis.engine().runBatch(spec, images, mask).reconstruction(), vis.layout());
    }

    /**
     * Reconstructions of several neurons of ONE image, each at its own position, in one backward run
     * that shares the image's forward pass (as {@code --neuron all} does: one channel per start
     * signal, so the engine's channel-start form applies): what {@link TargetRequest} with a
     * {@link io.dnnvis.methods.core.Target.NeuronScore} at that position gives each alone.
     *
     * @param image one image {@code [1, ...]} in the model's layout
     * @return the reconstructions {@code [n, C, H, W]}, in the order given, NCHW whatever the model's layout
     */
    public static TensorValue runOnOneImage(Visualizer vis, BackwardMethod method, String tensor, TensorValue image,
            int[] channels, int[] ys, int[] xs) {
        long[] layer = vis.engine().shapes(tensor, image.shape()).get(tensor);
        int plane = layer.length == 4 ? (int) (layer[2] * layer[3]) : 1;
        int width = layer.length == 4 ? (int) layer[3] : 1;
        int n = channels.length;
        long[] units = new long[n];
        float[] maps = new float[n * plane];
        for (int k = 0; k < n; k++) {
            units[k] = channels[k];
            maps[k * plane + (layer.length == 4 ? ys[k] * width + xs[k] : 0)] = 1;
        }
        BackwardSpec spec = new BackwardSpec(tensor, method.rules().withPooling(Pooling.SWITCH), StartSignal.ONES,
                false);
        return Reconstructor.asNchw(vis.engine().run(spec, image, new ChannelSelections(units, maps))
                .reconstruction(), vis.layout());
    }
}
