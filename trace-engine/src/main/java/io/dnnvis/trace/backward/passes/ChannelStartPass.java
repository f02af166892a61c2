package io.dnnvis.trace.backward.passes;

import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import io.dnnvis.trace.backward.graph.BackwardGraph;
import io.dnnvis.trace.backward.graph.Geometry;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.GraphOutput;
import io.dnnvis.trace.backward.graph.Site;
import io.dnnvis.trace.backward.graph.StartInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Starts the backward pass at a Conv target from one channel per start signal. Every start signal
 * the library makes selects one channel (a whole map or one position of it), so the signal arriving
 * at the target is zero but for one channel {@code c}, and only the weights {@code W[c]} take part:
 * each tap of the kernel gives one shifted copy of the signal (a Conv with one-hot kernels, the
 * columns), and a batched MatMul of the gathered {@code W[c] [I, taps]} with those columns is the
 * transposed convolution, at {@code 1/O} of the arithmetic. The forward values of those channels,
 * which an activation start needs, come from a Conv with the gathered weights, so the graph does not
 * compute the target at all: its output is dropped, and the caller computes it when asked.
 *
 * <p>Changes how the graph is fed: the selections have one channel and a channel input {@code [B, N]}
 * says which, in each of the N images ({@link StartInput#oneChannel}). The planner runs it only where
 * every selection is one channel. Unit strides and one group only.
 */
public final class ChannelStartPass implements GraphPass {

    /** Name of the graph input that holds the channel of each start signal. */
    public static final String CHANNEL_INPUT = "dnnvis_channel";

    @Override
    public String name() {
        return "channel-start";
    }

    @Override
    public boolean apply(BackwardGraph graph, PassContext context) {
        List<Site.Start> starts = graph.sites(Site.Start.class);
        if (starts.size() != 1 || graph.start().oneChannel()) {
            return false;
        }
        Site.Start start = starts.get(0);
        Optional<Site.TransposedConv> conv = graph.sites(Site.TransposedConv.class).stream()
                .filter(t -> t.signal().equals(start.output()) && t.conv().output().equals(start.target()))
                .findFirst();
        if (conv.isEmpty() || graph.isOutput(start.output()) || graph.isOutput(conv.get().output())
                || graph.consumers(start.output()).size() != 1) {
            return false;
        }
        Site.TransposedConv t = conv.get();
        long[] pads = t.geometry().transposeAsConvPads();
        if (t.group() != 1 || t.x().length < 3 || pads == null) {
            return false;
        }
        GraphEmitter e = graph.emitterBefore(t.output()).scope("start");
        String selection = graph.start().selection();
        String values = start.timesTarget()
                ? e.mul(selection, forwardChannels(e, t, CHANNEL_INPUT))
                : e.op("Identity", List.of(selection));
        e.scope(t.conv().name());
        graph.replaceUses(t.output(), backwardFromChannel(e, t, pads, values, CHANNEL_INPUT));
        long[] oneChannel = graph.start().selectionShape();
        oneChannel[1] = 1;
        graph.setStart(new StartInput(selection, oneChannel, CHANNEL_INPUT));
        for (GraphOutput o : graph.outputs()) {
            if (o.role() == GraphOutput.Role.TARGET) {
                graph.setOutput(o.tensor(), null); // computed on demand, not here
            }
        }
        return true;
    }

    /**
     * The transposed convolution of {@code values} ({@code [B] ++ y} with one channel, channel
     * {@code channels[b, n]} in image n) with the weights of those channels alone, {@code [B] ++ x}.
     */
    private static String backwardFromChannel(GraphEmitter e, Site.TransposedConv t, long[] pads, String values,
            String channels) {
        long[] x = t.x();
        long[] w = t.w();
        Geometry g = t.geometry();
        long[] kernel = g.kernel();
        int taps = Math.toIntExact(Arrays.stream(kernel).reduce(1, Math::multiplyExact));
        // column t holds the signal shifted by tap t: a Conv whose filter t is 1 at the flipped tap
        float[] oneHot = Geometry.oneHotFilters(taps, true);
        long[] kernelShape = new long[kernel.length + 2];
        kernelShape[0] = taps;
        kernelShape[1] = 1;
        System.arraycopy(kernel, 0, kernelShape, 2, kernel.length);
        long[] single = t.y().clone();
        single[0] = -1;
        single[1] = 1;
        String columns = e.op("Conv", List.of(e.reshape(values, single), e.constant(kernelShape, oneHot)),
                intsAttr("dilations", g.dilations()), intsAttr("pads", pads), intsAttr("kernel_shape", kernel));
        long positions = Arrays.stream(x, 2, x.length).reduce(1, Math::multiplyExact);
        // [B, N, I, taps]: the weights of each signal's channel in each image
        String picked = e.op("Gather", List.of(e.reshape(t.conv().inputs().get(1), w[0], w[1], taps), channels),
                intAttr("axis", 0));
        String back = e.matmul(e.reshape(picked, -1, x[0], w[1], taps), e.reshape(columns, -1, x[0], taps, positions));
        return e.reshapeSignal(back, x);
    }

    /**
     * The forward values of channel {@code channels[b, n]} of the Conv's output for each start signal
     * b and image n, from the Conv's inputs, without the other channels: {@code [B] ++ y} with one
     * channel.
     */
    private static String forwardChannels(GraphEmitter e, Site.TransposedConv t, String channels) {
        Geometry g = t.geometry();
        long[] y = t.y();
        long images = y[0];
        String flat = e.reshape(channels, -1); // [B * N]
        List<String> conv = t.conv().inputs();
        List<String> inputs = new ArrayList<>();
        inputs.add(conv.get(0));
        inputs.add(e.op("Gather", List.of(conv.get(1), flat), intAttr("axis", 0)));
        if (conv.size() > 2 && !conv.get(2).isEmpty()) { // the bias
            inputs.add(e.op("Gather", List.of(conv.get(2), flat), intAttr("axis", 0)));
        }
        int r = g.rank();
        long[] pads = new long[2 * r];
        System.arraycopy(g.padBegin(), 0, pads, 0, r);
        System.arraycopy(g.padEnd(), 0, pads, r, r);
        // [N, B * N, ...]: the selected output channels, each computed for every image
        String picked = e.op("Conv", inputs, intsAttr("kernel_shape", g.kernel()), intsAttr("strides", g.strides()),
                intsAttr("dilations", g.dilations()), intsAttr("pads", pads));
        if (images > 1) { // keep channel (b, n) of image n only: [N, B, ...]
            long positions = Arrays.stream(y, 2, y.length).reduce(1, Math::multiplyExact);
            float[] eye = new float[Math.toIntExact(images * images)];
            for (int n = 0; n < images; n++) {
                eye[n * (int) images + n] = 1f;
            }
            String own = e.mul(e.reshape(picked, images, -1, images, positions),
                    e.constant(new long[] {images, 1, images, 1}, eye));
            long[] perImage = y.clone();
            perImage[1] = -1;
            picked = e.reshape(e.reduceSum(own, 2), perImage);
        }
        return e.channelsFirst(picked, y);
    }
}
