package io.dnnvis.trace.backward.passes;

import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.trace.backward.graph.BackwardGraph;
import io.dnnvis.trace.backward.graph.GraphEmitter;
import io.dnnvis.trace.backward.graph.Site;
import io.dnnvis.trace.backward.rules.MaxPoolRule;
import io.dnnvis.trace.backward.rules.SwitchUnpooling;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Leaves out a Relu's mask {@code [y > 0]} where every signal it masks comes from switch
 * unpoolings of MaxPools that read {@code y}: those unpoolings then drop the windows whose maximum
 * is not positive ({@link Site.SwitchUnpooling#positiveOnly}: a window's maximum is where
 * {@code y > 0} exactly when the window has a positive value), which sends nothing the mask would
 * zero, so the mask's multiply changes no value. With DeSaliNet's rectification in between
 * ({@code relu(s) * mask}) the same holds, since the mask and the rectification commute.
 */
public final class MaskElisionPass implements GraphPass {

    @Override
    public String name() {
        return "mask-elision";
    }

    @Override
    public boolean apply(BackwardGraph graph, PassContext context) {
        if (graph.opset() < MaxPoolRule.OWN_MAXIMA_OPSET) {
            return false;
        }
        return graph.rewriteEach(Site.PositiveMask.class, mask -> {
            Optional<List<Site.SwitchUnpooling>> terms = unpoolingsOf(graph, mask);
            if (terms.isEmpty()) {
                return false;
            }
            for (Site.SwitchUnpooling u : terms.get()) {
                GraphEmitter e = graph.emitterBefore(u.output()).scope("mask-elision");
                String positions = SwitchUnpooling.windowMaxima(e, u.pooled(), u.geometry(), u.x(), u.y(), true);
                String positive = SwitchUnpooling.oneHot(e, u.geometry(), u.signal(), positions, u.x(), u.y(), 1);
                graph.replaceUses(u.output(), positive);
                graph.note(new Site.SwitchUnpooling(positive, u.signal(), u.pooled(), u.geometry(), u.x(), u.y(),
                        true));
            }
            // the terms' replacements renamed what the mask reads
            Site.PositiveMask renamed = graph.site(Site.PositiveMask.class, mask.output()).orElseThrow();
            graph.replaceUses(renamed.output(), renamed.signal());
            return true;
        });
    }

    /**
     * The unpoolings whose sum (rectified or not) the mask multiplies, when that is all it
     * multiplies and none of the tensors on the way is an output or read elsewhere.
     */
    private static Optional<List<Site.SwitchUnpooling>> unpoolingsOf(BackwardGraph graph, Site.PositiveMask mask) {
        if (graph.isOutput(mask.output())) {
            return Optional.empty();
        }
        String s = mask.signal();
        Optional<NodeProto> producer = graph.producer(s);
        if (producer.isPresent() && producer.get().getOpType().equals("Relu")) {
            if (!onlyReadOnce(graph, s)) {
                return Optional.empty();
            }
            s = producer.get().getInput(0);
            producer = graph.producer(s);
        }
        List<String> summed = new ArrayList<>();
        if (producer.isPresent() && producer.get().getOpType().equals("Sum")) {
            if (!onlyReadOnce(graph, s)) {
                return Optional.empty();
            }
            summed.addAll(producer.get().getInputList());
        } else {
            summed.add(s);
        }
        List<Site.SwitchUnpooling> terms = new ArrayList<>();
        for (String term : summed) {
            Optional<Site.SwitchUnpooling> u = graph.site(Site.SwitchUnpooling.class, term);
            if (u.isEmpty() || u.get().positiveOnly() || !u.get().pooled().equals(mask.forward())
                    || !onlyReadOnce(graph, term)) {
                return Optional.empty();
            }
            terms.add(u.get());
        }
        return Optional.of(terms);
    }

    private static boolean onlyReadOnce(BackwardGraph graph, String tensor) {
        return !graph.isOutput(tensor) && graph.consumers(tensor).size() == 1;
    }
}
