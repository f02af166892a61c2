package io.dnnvis.trace.backward.passes;

import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.trace.backward.graph.BackwardGraph;
import io.dnnvis.trace.backward.graph.GraphOutput;
import io.dnnvis.trace.backward.graph.Site;
import java.util.Optional;
import java.util.Set;

/**
 * Leaves the last interleave to the host: where a source's signal is phases interleaved in the
 * graph ({@link Site.Interleave}, the polyphase backward of a model's first strided convolution),
 * reshaped but otherwise unchanged on its way to the output, the output holds the phases and says
 * how in its {@link GraphOutput#layout}; the engine interleaves them while it copies the result out
 * of ONNX Runtime's buffer, instead of a DepthToSpace and a Slice in the graph. The planner runs it
 * only for a batch of one image, as the layout describes one image per signal.
 */
public final class HostInterleavePass implements GraphPass {

    /** Ops that pass their input's values on in the same order. */
    private static final Set<String> SAME_ORDER = Set.of("Identity", "Reshape");

    @Override
    public String name() {
        return "host-interleave";
    }

    @Override
    public boolean apply(BackwardGraph graph, PassContext context) {
        boolean changed = false;
        for (GraphOutput o : graph.outputs()) {
            if (o.role() != GraphOutput.Role.SOURCE_SIGNAL || o.layout() != null) {
                continue;
            }
            Optional<NodeProto> last = graph.producer(o.tensor());
            if (last.isEmpty() || !last.get().getOpType().equals("Identity")) {
                continue;
            }
            Optional<Site.Interleave> site = interleaveBehind(graph, last.get().getInput(0));
            if (site.isPresent()) {
                graph.replaceNode(last.get(), last.get().toBuilder().setInput(0, site.get().phases()).build());
                graph.setOutput(o.tensor(), o.withLayout(site.get().layout()));
                changed = true;
            }
        }
        return changed;
    }

    /** The interleave that {@code tensor} is, through reshapes that nothing else reads. */
    private static Optional<Site.Interleave> interleaveBehind(BackwardGraph graph, String tensor) {
        String t = tensor;
        while (true) {
            if (graph.isOutput(t) || graph.consumers(t).size() != 1) {
                return Optional.empty();
            }
            Optional<Site.Interleave> site = graph.site(Site.Interleave.class, t);
            if (site.isPresent()) {
                return site;
            }
            Optional<NodeProto> p = graph.producer(t);
            if (p.isEmpty() || !SAME_ORDER.contains(p.get().getOpType())) {
                return Optional.empty();
            }
            t = p.get().getInput(0);
        }
    }
}
