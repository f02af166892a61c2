package io.dnnvis.cli;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.LayerTable;
import io.dnnvis.trace.Tracer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dnnvis layers}: the inputs and every node with alias, op, tensor and output shape. */
@Command(
        name = "layers",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "List the model's inputs and its nodes, with the names a layer can be given.",
            "For every node: alias, node name, op, output tensor, output shape, main attributes (kernel, "
                    + "strides, pads, dilations, group for convolutions and pools) and parameter count (elements "
                    + "of the node's float initializers of rank 1 and more: weights, not shapes or axes). Constant "
                    + "nodes are hidden unless --all or --op names them.",
            "Shapes come from ONNX Runtime's shape inference (nothing run), else from a forward run on zeros; "
                    + "the first line says which. A dynamic batch is 1, dynamic height and width come from "
                    + "--input-shape, --input-size or a size in the model's metadata (input_size HxW); else the "
                    + "command refuses.",
            "A layer can be named by its alias (conv4 = the 4th Conv node), node name or tensor name everywhere."
        })
final class LayersCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
    Path modelFile;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--all", description = "Also list Constant nodes (hidden by default).")
    boolean all;

    @Option(names = "--op", paramLabel = "OP[,OP...]", split = ",",
            description = "Only nodes of these op types (case-insensitive), e.g. --op conv,gemm.")
    List<String> ops = List.of();

    @Option(names = "--input-shape", paramLabel = "N,C,H,W|N,H,W,C",
            description = "Shape of the first input, in the model's own layout (default: its declared shape; a "
                    + "dynamic batch is 1, a dynamic height and width come from --input-size or the model's "
                    + "metadata, else the command refuses).")
    InputShape inputShape;

    @Option(names = "--input-size", paramLabel = "HxW",
            description = "Height and width of the first input where they are dynamic.")
    ImageSize inputSize;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OnnxModel model = common.loadModel(modelFile);
        LayerSelection selection = LayerSelection.of(model, ops, all); // checked before any work
        LayerTable table;
        try (Tracer tracer = Tracer.open(model, common.engineOptions())) {
            table = LayerTable.of(tracer, FirstInputShape.of(model, inputShape, inputSize).orElse(null));
        }
        List<ShownLayer> shown = selection.shown(model, table);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(LayersJson.of(table, shown)));
        } else {
            printTable(model, table, shown, selection.hiddenNote(table.rows().size() - shown.size()), out);
        }
        out.flush();
        return 0;
    }

    /**
     * {@code layers --json}: the inputs and every node, in the file's order; {@code shapes} is
     * {@code inferred} (shape inference, nothing run) or {@code run} (a forward run on zeros).
     */
    record LayersJson(List<InputJson> inputs, List<LayerJson> layers, String shapes) {

        static LayersJson of(LayerTable table, List<ShownLayer> shown) {
            return new LayersJson(table.inputs().stream().map(in -> new InputJson(in.name(), in.shape())).toList(),
                    shown.stream().map(l -> new LayerJson(l.row().alias(), l.row().node(), l.row().op(),
                            l.row().tensor(), l.row().shape(), l.summary().attributes(), l.summary().params()))
                            .toList(), table.ran() ? "run" : "inferred");
        }
    }

    /** An input: its name and the shape the table ran with. */
    record InputJson(String name, long[] shape) {
    }

    /**
     * A node: alias (empty where none), node name, op, output tensor, its shape, main attributes
     * and parameter count.
     */
    record LayerJson(String alias, String node, String op, String tensor, long[] shape,
            Map<String, Object> attributes, long params) {
    }

    /** A row the command shows, with its node's attributes and parameter count. */
    record ShownLayer(LayerTable.Row row, NodeSummary summary) {
    }

    private static void printTable(OnnxModel model, LayerTable table, List<ShownLayer> shown, String hidden,
            PrintWriter out) {
        String opset = model.fileOpset() == model.opset() ? Long.toString(model.opset())
                : model.opset() + " (opset " + model.fileOpset() + " in the file, brought up on loading)";
        out.printf("%s: opset %s, IR %d, %d nodes%s%s%n", model.fileName(), opset, model.irVersion(),
                table.rows().size(), model.producerName().isEmpty() ? "" : ", from " + shownName(model.producerName()),
                hidden + (table.ran() ? "; shapes from a run on zeros" : "; shapes inferred, not run"));
        for (LayerTable.Input in : table.inputs()) {
            out.printf("input  %s %s%n", shownName(in.name()), Arrays.toString(in.shape()));
        }
        List<LayerTable.Row> rows = shown.stream().map(ShownLayer::row).toList();
        int aliasWidth = width(rows, 0, "alias");
        int nodeWidth = width(rows, 1, "node");
        int opWidth = width(rows, 2, "op");
        int tensorWidth = width(rows, 3, "tensor");
        int shapeWidth = width(rows, 4, "shape");
        String format = "%-" + aliasWidth + "s  %-" + nodeWidth + "s  %-" + opWidth + "s  %-" + tensorWidth + "s  %-"
                + shapeWidth + "s  %10s  %s%n";
        out.printf(format, "alias", "node", "op", "tensor", "shape", "params", "attributes");
        for (ShownLayer l : shown) {
            LayerTable.Row r = l.row();
            out.printf(format, r.alias().isEmpty() ? "-" : r.alias(), shownName(r.node()), shownName(r.op()),
                    shownName(r.tensor()), Arrays.toString(r.shape()), l.summary().params(), l.summary().text());
        }
    }

    private static int width(List<LayerTable.Row> rows, int column, String header) {
        int w = header.length();
        for (LayerTable.Row r : rows) {
            String v = switch (column) {
                case 0 -> r.alias();
                case 1 -> shownName(r.node());
                case 2 -> shownName(r.op());
                case 3 -> shownName(r.tensor());
                default -> Arrays.toString(r.shape());
            };
            w = Math.max(w, v.length());
        }
        return Math.min(w, 60);
    }

    /** The longest name the table shows whole; {@code --json} gives every name whole. */
    static final int SHOWN_NAME_LENGTH = 200;

    /**
     * A name as the table shows it: {@link #printable}, and one longer than
     * {@value #SHOWN_NAME_LENGTH} characters cut to its start, an ellipsis and its length.
     */
    static String shownName(String name) {
        if (name.length() <= SHOWN_NAME_LENGTH) {
            return printable(name);
        }
        int end = SHOWN_NAME_LENGTH - 1;
        if (Character.isHighSurrogate(name.charAt(end - 1))) {
            end--;
        }
        return printable(name.substring(0, end)) + "… (" + name.length() + " characters)";
    }

    /** Names from an untrusted model, with control characters made visible. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
