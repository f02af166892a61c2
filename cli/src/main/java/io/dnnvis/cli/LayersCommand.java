package io.dnnvis.cli;

import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.LayerTable;
import io.dnnvis.trace.Tracer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
            "List the model's inputs and, for every node: alias, node name, op, output tensor and output shape.",
            "Shapes come from a forward run on zeros; a dynamic batch is 1, dynamic height and width come from",
            "--input-shape, --input-size or a size in the model's metadata (input_size HxW); else the command refuses.",
            "A layer can be named by its alias (conv4 = the 4th Conv node), node name or tensor name everywhere."
        })
final class LayersCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
    Path modelFile;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--input-shape", paramLabel = "N,C,H,W",
            description = "Shape of the first input (default: its declared shape; a dynamic batch is 1, a dynamic "
                    + "height and width come from --input-size or the model's metadata, else the command refuses).")
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
        LayerTable table;
        try (Tracer tracer = Tracer.open(model, common.engineOptions())) {
            table = LayerTable.of(tracer, FirstInputShape.of(model, inputShape, inputSize).orElse(null));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(LayersJson.of(table)));
        } else {
            printTable(model, table, out);
        }
        out.flush();
        return 0;
    }

    /** {@code layers --json}: the inputs and every node, in the file's order. */
    record LayersJson(List<InputJson> inputs, List<LayerJson> layers) {

        static LayersJson of(LayerTable table) {
            return new LayersJson(table.inputs().stream().map(in -> new InputJson(in.name(), in.shape())).toList(),
                    table.rows().stream()
                            .map(r -> new LayerJson(r.alias(), r.node(), r.op(), r.tensor(), r.shape())).toList());
        }
    }

    /** An input: its name and the shape the table ran with. */
    record InputJson(String name, long[] shape) {
    }

    /** A node: alias (empty where none), node name, op, output tensor and its shape. */
    record LayerJson(String alias, String node, String op, String tensor, long[] shape) {
    }

    private static void printTable(OnnxModel model, LayerTable table, PrintWriter out) {
        out.printf("%s: opset %d, IR %d, %d nodes%s%n", model.fileName(), model.opset(), model.irVersion(),
                table.rows().size(), model.producerName().isEmpty() ? "" : ", from " + printable(model.producerName()));
        for (LayerTable.Input in : table.inputs()) {
            out.printf("input  %s %s%n", printable(in.name()), Arrays.toString(in.shape()));
        }
        int aliasWidth = width(table, 0, "alias");
        int nodeWidth = width(table, 1, "node");
        int opWidth = width(table, 2, "op");
        int tensorWidth = width(table, 3, "tensor");
        String format = "%-" + aliasWidth + "s  %-" + nodeWidth + "s  %-" + opWidth + "s  %-" + tensorWidth + "s  %s%n";
        out.printf(format, "alias", "node", "op", "tensor", "shape");
        for (LayerTable.Row r : table.rows()) {
            out.printf(format, r.alias().isEmpty() ? "-" : r.alias(), printable(r.node()), printable(r.op()),
                    printable(r.tensor()), Arrays.toString(r.shape()));
        }
    }

    private static int width(LayerTable table, int column, String header) {
        int w = header.length();
        for (LayerTable.Row r : table.rows()) {
            String v = switch (column) {
                case 0 -> r.alias();
                case 1 -> printable(r.node());
                case 2 -> printable(r.op());
                default -> printable(r.tensor());
            };
            w = Math.max(w, v.length());
        }
        return Math.min(w, 60);
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
