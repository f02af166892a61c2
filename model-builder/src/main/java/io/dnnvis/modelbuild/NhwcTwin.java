package io.dnnvis.modelbuild;

import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorShapeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The NHWC twin of an NCHW model, as tf2onnx and keras2onnx export them: the same graph and weights,
 * its input declared {@code [N, H, W, C]} under the same name and turned into the original
 * {@code [N, C, H, W]} by a {@code Transpose} with {@code perm [0, 3, 1, 2]} in front of every
 * other node. Given the same image in each layout, both compute the same values.
 */
public final class NhwcTwin {

    private NhwcTwin() {
    }

    /** The twin of the model in {@code nchwModel}, serialized. */
    public static byte[] of(Path nchwModel) {
        try {
            return of(ModelProto.parseFrom(Files.readAllBytes(nchwModel))).toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(nchwModel + ": not an ONNX model", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the twin of {@code nchwModel} to {@code file}. */
    public static Path write(Path nchwModel, Path file) throws IOException {
        Files.write(file, of(nchwModel));
        return file;
    }

    /**
     * The twin of {@code model}, whose first graph input must be a 4-D tensor.
     *
     * @throws IllegalArgumentException when the model has no 4-D first input
     */
    public static ModelProto of(ModelProto model) {
        GraphProto graph = model.getGraph();
        ValueInfoProto input = graph.getInput(0);
        TensorShapeProto shape = input.getType().getTensorType().getShape();
        if (shape.getDimCount() != 4) {
            throw new IllegalArgumentException("input '" + input.getName() + "' is not 4-D");
        }
        String name = input.getName();
        String nchw = name + "_nchw";
        TensorShapeProto nhwc = TensorShapeProto.newBuilder().addDim(shape.getDim(0)).addDim(shape.getDim(2))
                .addDim(shape.getDim(3)).addDim(shape.getDim(1)).build();
        ValueInfoProto.Builder twinInput = input.toBuilder();
        twinInput.getTypeBuilder().getTensorTypeBuilder().setShape(nhwc);
        GraphProto.Builder twin = graph.toBuilder().setInput(0, twinInput).clearNode();
        twin.addNode(NodeProto.newBuilder().setName("input_to_nchw").setOpType("Transpose").addInput(name)
                .addOutput(nchw).addAttribute(intsAttr("perm", 0, 3, 1, 2)));
        for (NodeProto node : graph.getNodeList()) {
            NodeProto.Builder renamed = node.toBuilder().clearInput();
            for (String in : node.getInputList()) {
                renamed.addInput(in.equals(name) ? nchw : in);
            }
            twin.addNode(renamed);
        }
        List<ValueInfoProto> described = graph.getValueInfoList().stream()
                .filter(v -> !v.getName().equals(name)).toList();
        twin.clearValueInfo().addAllValueInfo(described);
        return model.toBuilder().setGraph(twin).build();
    }
}
