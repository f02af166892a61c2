package io.dnnvis.cli;

import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Quoted;
import io.dnnvis.trace.LayerTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which nodes {@code layers} shows: those of the {@code --op} types (case-insensitive) where given,
 * else all but Constant nodes unless {@code --all}. Op types none of which the model has are refused
 * (a typo would print an empty table).
 */
record LayerSelection(Set<String> ops, boolean all) {

    private static final String CONSTANT = "Constant";

    LayerSelection {
        ops = Set.copyOf(ops);
    }

    static LayerSelection of(OnnxModel model, List<String> ops, boolean all) {
        Set<String> wanted = new TreeSet<>();
        Set<String> present = model.graph().nodes().stream().map(n -> n.opType().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        for (String op : ops) {
            String key = op.strip().toLowerCase(Locale.ROOT);
            if (key.isEmpty()) {
                throw new UserException("--op: empty op type in '" + Quoted.name(String.join(",", ops)) + "'");
            }
            wanted.add(key);
        }
        if (!wanted.isEmpty() && wanted.stream().noneMatch(present::contains)) {
            Set<String> names = new TreeSet<>();
            model.graph().nodes().forEach(n -> names.add(n.opType()));
            throw new UserException("--op: " + model.fileName() + " has no " + Quoted.name(String.join(", ", ops))
                    + " node; its ops: " + Quoted.message(String.join(", ", names)));
        }
        return new LayerSelection(wanted, all);
    }

    boolean shows(String opType) {
        if (!ops.isEmpty()) {
            return ops.contains(opType.toLowerCase(Locale.ROOT));
        }
        return all || !opType.equals(CONSTANT);
    }

    /** The table's rows this selection shows, each with its node's summary. */
    List<LayersCommand.ShownLayer> shown(OnnxModel model, LayerTable table) {
        List<Node> nodes = new ArrayList<>(model.graph().nodes());
        nodes.sort(Comparator.comparingInt(Node::fileIndex));
        List<LayersCommand.ShownLayer> out = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            LayerTable.Row row = table.rows().get(k);
            if (shows(row.op())) {
                out.add(new LayersCommand.ShownLayer(row, NodeSummary.of(nodes.get(k), model.graph())));
            }
        }
        return out;
    }

    /** The header's note on rows left out, e.g. {@code ; 395 Constant nodes hidden (--all shows them)}. */
    String hiddenNote(int hidden) {
        if (hidden == 0) {
            return "";
        }
        return ops.isEmpty() ? ", " + hidden + " Constant nodes hidden (--all shows them)"
                : ", " + hidden + " not of the --op types hidden";
    }
}
