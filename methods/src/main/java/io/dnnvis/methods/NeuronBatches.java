package io.dnnvis.methods;

import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardSpec;
import io.dnnvis.trace.backward.ChannelSelections;
import io.dnnvis.trace.backward.StartSignal;
import io.dnnvis.trace.backward.rules.Pooling;

/**
 * Reconstructions of several neurons of one image, each at its own position of a layer, in one
 * backward run (a dataset audit's rows of one image): each gets what {@link TargetRequest} with
 * {@link io.dnnvis.methods.core.Target.NeuronScore} at that position gives it alone (switch pooling,
 * Relu the only gate).
 */
public final class NeuronBatches {

    private NeuronBatches() {
    }

    /** How many start signals one run on an image of {@code oneInput}'s shape may take at {@code tensor}. */
    public static int limit(Visualizer vis, String tensor, long[] oneInput) {
        return vis.engine().batchLimit(tensor, oneInput);
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
