package io.dnnvis.onnx;

import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Models of opset 7 and 8 are read as opset 9, the oldest form the backward graphs are written
 * for. Of the ops a CNN uses only two changed in between: Upsample's {@code scales} attribute
 * became an input (added as an initializer, so node positions stay), and BatchNormalization lost
 * {@code spatial} (its default, 1, is what opset 9 does). A model this does not cover (a
 * BatchNormalization with {@code spatial} 0 over more than channels, Scan, or subgraphs) keeps its
 * opset ({@link #obstacle} says why).
 */
final class OpsetNineUpgrade {

    private static final long TARGET = 9;

    private OpsetNineUpgrade() {
    }

    /** Whether {@code proto} (default-domain opset {@code opset}) is upgraded. */
    static boolean applies(ModelProto proto, long opset) {
        return opset >= 7 && opset < TARGET && obstacle(proto).isEmpty();
    }

    /**
     * What keeps {@code proto} at its opset, naming the node: a Scan, a subgraph, or a
     * BatchNormalization that normalises each activation on its own ({@code spatial} 0 with a scale
     * of more than one axis). A {@code spatial} 0 with a scale {@code [C]} (as MXNet's exporter
     * writes it) can only mean one value per channel: it is read as {@code spatial} 1.
     */
    static Optional<String> obstacle(ModelProto proto) {
        for (NodeProto n : proto.getGraph().getNodeList()) {
            String node = "node '" + n.getName() + "' (" + n.getOpType() + ")";
            if (n.getOpType().equals("Scan")) {
                return Optional.of(node + " is a Scan");
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG() || a.getGraphsCount() > 0) {
                    return Optional.of(node + " holds a subgraph");
                }
                if (n.getOpType().equals("BatchNormalization") && a.getName().equals("spatial") && a.getI() == 0
                        && scaleRank(proto.getGraph(), n) != 1) {
                    return Optional.of(node + " normalises each activation on its own (spatial=0)");
                }
            }
        }
        return Optional.empty();
    }

    /** The rank of a BatchNormalization's scale where an initializer gives it, else -1. */
    private static int scaleRank(GraphProto g, NodeProto bn) {
        if (bn.getInputCount() < 2) {
            return -1;
        }
        return g.getInitializerList().stream().filter(t -> t.getName().equals(bn.getInput(1))).findFirst()
                .map(TensorProto::getDimsCount).orElse(-1);
    }

    /** The model at opset 9 (IR version at least 4). */
    static ModelProto upgrade(ModelProto proto) {
        GraphProto g = proto.getGraph();
        Set<String> names = new HashSet<>();
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        g.getInputList().forEach(v -> names.add(v.getName()));
        g.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
        GraphProto.Builder b = g.toBuilder();
        for (int k = 0; k < b.getNodeCount(); k++) {
            NodeProto n = b.getNode(k);
            if (n.getOpType().equals("Upsample") && n.getDomain().isEmpty()) {
                b.setNode(k, scalesAsInput(n, b, names));
            } else if (n.getOpType().equals("BatchNormalization")) {
                b.setNode(k, without(n, "spatial"));
            }
        }
        ModelProto.Builder m = proto.toBuilder().setGraph(b).setIrVersion(Math.max(proto.getIrVersion(), 4));
        for (int k = 0; k < m.getOpsetImportCount(); k++) {
            OperatorSetIdProto o = m.getOpsetImport(k);
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                m.setOpsetImport(k, o.toBuilder().setVersion(TARGET));
            }
        }
        return m.build();
    }

    private static NodeProto scalesAsInput(NodeProto n, GraphProto.Builder g, Set<String> names) {
        float[] scales = n.getAttributeList().stream().filter(a -> a.getName().equals("scales")).findFirst()
                .map(a -> {
                    float[] v = new float[a.getFloatsCount()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = a.getFloats(i);
                    }
                    return v;
                }).orElse(new float[0]);
        String name = n.getOutput(0) + "_scales";
        while (!names.add(name)) {
            name = name + "_";
        }
        ByteBuffer raw = ByteBuffer.allocate(4 * scales.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : scales) {
            raw.putFloat(s);
        }
        g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(DataType.FLOAT.code())
                .addDims(scales.length).setRawData(ByteString.copyFrom(raw.array())));
        return without(n, "scales").toBuilder().addInput(name).build();
    }

    private static NodeProto without(NodeProto n, String attribute) {
        NodeProto.Builder b = n.toBuilder().clearAttribute();
        n.getAttributeList().stream().filter(a -> !a.getName().equals(attribute)).forEach(b::addAttribute);
        return b.build();
    }
}
