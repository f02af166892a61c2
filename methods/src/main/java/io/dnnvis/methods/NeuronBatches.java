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

    /** About how many bytes of native memory one more start signal adds to a run on an input of {@code oneInput}'s shape. */
    public static long bytesPerSignal(Visualizer vis, String tensor, long[] oneInput) {
        return vis.engine().bytesPerSelection(tensor, oneInput);
    }

    /**
     * Whether {@link #runOnImages} can take {@code images} images of {@code oneInput}'s shape at
     * once to {@code tensor}: false where the graph pins its batch.
     */
    public static boolean runsImagesTogether(Visualizer vis, String tensor, long[] oneInput, int images) {
        return vis.engine().runsImagesTogether(tensor, oneInput, images);
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
        for (int c : channels) {
            if (c < 0) {
                throw new IllegalArgumentException("negative channel " + c);
            }
        }
        ChannelSelections neurons = selections(vis, tensor, image.shape(), 1, channels, ys, xs);
        return Reconstructor.asNchw(vis.engine().run(spec(method, tensor), image, neurons).reconstruction(),
                vis.layout());
    }

    /**
     * Reconstructions of neurons of SEVERAL images in one backward run: {@code signals} start signals
     * in each of the N images of {@code batch}, signal b of image n the neuron {@code channels[b * N +
     * n]} at ({@code ys[..]}, {@code xs[..]}), or none where its channel is negative. Each is what
     * {@link #runOnOneImage} gives it on its image alone; the batch's images share the run's forward
     * pass and backward graph ({@link io.dnnvis.trace.backward.BackwardEngine#runOnImages}).
     *
     * @param batch N images {@code [N, ...]} in the model's layout
     * @return the reconstructions {@code [signals * N, C, H, W]}, signal b of image n at {@code b * N + n},
     *     NCHW whatever the model's layout; zero where no neuron was given
     */
    public static TensorValue runOnImages(Visualizer vis, BackwardMethod method, String tensor, TensorValue batch,
            int signals, int[] channels, int[] ys, int[] xs) {
        int images = Math.toIntExact(batch.shape()[0]);
        if (channels.length != signals * images || ys.length != channels.length || xs.length != channels.length) {
            throw new IllegalArgumentException(channels.length + " neurons for " + signals + " signals on " + images
                    + " images");
        }
        ChannelSelections neurons = selections(vis, tensor, batch.shape(), images, channels, ys, xs);
        return Reconstructor.asNchw(vis.engine().runOnImages(spec(method, tensor), batch, neurons).reconstruction(),
                vis.layout());
    }

    /**
     * Fails as the runs would where {@code method}'s backward net from {@code tensor} cannot be
     * written for an input of {@code oneInput}'s shape; runs nothing but the shape probe.
     */
    public static void check(Visualizer vis, BackwardMethod method, String tensor, long[] oneInput) {
        vis.engine().check(spec(method, tensor), oneInput);
    }

    /** The method's backward net from {@code tensor}, started with ones at the selected neurons, switch pooling. */
    private static BackwardSpec spec(BackwardMethod method, String tensor) {
        return new BackwardSpec(tensor, method.rules().withPooling(Pooling.SWITCH), StartSignal.ONES, false);
    }

    /**
     * One start signal per neuron, 1 at its position of its channel ({@code [1, C, h, w]} layers) or
     * at its unit ({@code [1, K]}), none where its channel is negative; each image its own channel.
     */
    private static ChannelSelections selections(Visualizer vis, String tensor, long[] inputShape, int images,
            int[] channels, int[] ys, int[] xs) {
        long[] one = inputShape.clone();
        one[0] = 1;
        long[] layer = vis.engine().shapes(tensor, one).get(tensor);
        int plane = layer.length == 4 ? (int) (layer[2] * layer[3]) : 1;
        int width = layer.length == 4 ? (int) layer[3] : 1;
        long[] units = new long[channels.length];
        float[] maps = new float[channels.length * plane];
        for (int k = 0; k < channels.length; k++) {
            if (channels[k] >= 0) {
                units[k] = channels[k];
                maps[k * plane + (layer.length == 4 ? ys[k] * width + xs[k] : 0)] = 1;
            }
        }
        return ChannelSelections.perImage(images, units, maps);
    }
}
