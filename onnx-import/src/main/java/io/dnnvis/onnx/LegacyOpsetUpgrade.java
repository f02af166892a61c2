package io.dnnvis.onnx;

import com.google.protobuf.ByteString;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Models of opsets 1 to 6 (the ONNX model zoo's first Caffe2 exports: AlexNet, GoogLeNet, ResNet-50,
 * SqueezeNet... at opsets 3 and 6) rewritten to opset 7, the oldest ONNX Runtime runs; they then go
 * on as opset 7 models ({@link OpsetNineUpgrade}). What changed up to opset 7 for the ops of a CNN,
 * from the operators' changelog:
 * <ul>
 *   <li>{@code consumed_inputs} (opset 1) is gone everywhere; {@code is_test} of Dropout and
 *       BatchNormalization and {@code broadcast} of Gemm are gone (inference and broadcasting are what
 *       opset 7 always does).
 *   <li>Add, Sub, Mul, Div, Pow and the comparisons broadcast as numpy does instead of by
 *       {@code broadcast}/{@code axis}: a constant B matched from {@code axis} of A (Caffe's Scale and
 *       Bias layers: B {@code [C]} from axis 1 of {@code [N, C, H, W]}) gets the trailing axes of size 1
 *       that say the same thing ({@code [C, 1, 1]}).
 *   <li>PRelu's slope {@code [C]} applied per channel becomes {@code [C, 1, 1]} (opset 7 broadcasts it
 *       as numpy does).
 *   <li>Reshape's {@code shape} attribute (opsets 1 to 4) becomes its second input; Concat without
 *       {@code axis} (opsets 1 to 3) gets its default, 1; Pad's {@code paddings} (opset 1) is
 *       {@code pads}; Cast's {@code to} named as a string (opsets 1 to 5) becomes the type's number.
 *   <li>Upsample-1's {@code height_scale} and {@code width_scale} become {@code scales}
 *       ({@code bilinear}: {@code linear}).
 * </ul>
 * What cannot be said at opset 7 this way is refused, naming the node: Tile-1 (tiles and an axis),
 * Split with a second input, a broadcast along an axis that needs a computed tensor reshaped or whose
 * ranks are not known, subgraphs.
 */
final class LegacyOpsetUpgrade {

    static final long TARGET = 7;

    /** Element-wise ops whose {@code broadcast} and {@code axis} attributes opset 7 replaced by numpy broadcasting. */
    private static final Set<String> LEGACY_BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor",
            "Equal", "Greater", "Less");

    /** Ops whose output has the rank of their first input. */
    private static final Set<String> SAME_RANK = Set.of("Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool",
            "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "LRN", "BatchNormalization",
            "InstanceNormalization", "LpNormalization", "MeanVarianceNormalization", "Dropout", "Relu", "LeakyRelu",
            "PRelu", "Elu", "Selu", "Sigmoid", "HardSigmoid", "Tanh", "Softplus", "Softsign", "Softmax", "LogSoftmax",
            "Hardmax", "Clip", "Abs", "Neg", "Sqrt", "Exp", "Log", "Floor", "Ceil", "Reciprocal", "Identity", "Cast",
            "Pad", "Concat", "Sum", "Max", "Min", "Mean", "Add", "Sub", "Mul", "Div", "Pow", "Transpose", "Slice",
            "Split", "DepthToSpace", "SpaceToDepth", "ImageScaler");

    private final Path file;
    private final long opset;
    private final GraphProto.Builder graph;
    private final Map<String, TensorProto> initializers = new HashMap<>();
    /** The values of Constant nodes' outputs, by name. */
    private final Map<String, TensorProto> constantNodes = new HashMap<>();
    private final Map<String, Integer> ranks = new HashMap<>();
    private final Set<String> names = new HashSet<>();

    private LegacyOpsetUpgrade(Path file, long opset, GraphProto graph) {
        this.file = file;
        this.opset = opset;
        this.graph = graph.toBuilder();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
            ranks.put(t.getName(), t.getDimsCount());
            names.add(t.getName());
        }
        for (ValueInfoProto v : graph.getInputList()) {
            names.add(v.getName());
            if (v.getType().hasTensorType() && v.getType().getTensorType().hasShape()) {
                ranks.putIfAbsent(v.getName(), v.getType().getTensorType().getShape().getDimCount());
            }
        }
        for (ValueInfoProto v : graph.getValueInfoList()) {
            if (v.getType().hasTensorType() && v.getType().getTensorType().hasShape()) {
                ranks.putIfAbsent(v.getName(), v.getType().getTensorType().getShape().getDimCount());
            }
        }
        for (NodeProto n : graph.getNodeList()) {
            names.addAll(n.getOutputList());
            if (n.getOpType().equals("Constant") && n.getOutputCount() > 0) {
                attribute(n, "value").filter(AttributeProto::hasT)
                        .ifPresent(a -> constantNodes.put(n.getOutput(0), a.getT()));
            }
        }
    }

    /**
     * {@code proto}, whose default-domain opset is {@code opset} (1 to 6), at opset 7.
     *
     * @throws InvalidModelException naming the node that opset 7 cannot express this way
     */
    static ModelProto upgrade(ModelProto proto, long opset, Path file) {
        LegacyOpsetUpgrade u = new LegacyOpsetUpgrade(file, opset, proto.getGraph());
        for (int k = 0; k < u.graph.getNodeCount(); k++) {
            NodeProto read = u.graph.getNode(k);
            NodeProto n = read.getDomain().isEmpty() || read.getDomain().equals("ai.onnx") ? u.rewrite(read) : read;
            u.graph.setNode(k, n);
            u.rank(n).ifPresent(r -> n.getOutputList().forEach(o -> u.ranks.putIfAbsent(o, r)));
        }
        ModelProto.Builder m = proto.toBuilder().setGraph(u.graph);
        for (int k = 0; k < m.getOpsetImportCount(); k++) {
            OperatorSetIdProto o = m.getOpsetImport(k);
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                m.setOpsetImport(k, o.toBuilder().setVersion(TARGET));
            }
        }
        return m.build();
    }

    private NodeProto rewrite(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.hasG() || a.getGraphsCount() > 0) {
                throw refuse(n, "has a subgraph");
            }
        }
        NodeProto.Builder b = n.toBuilder();
        remove(b, "consumed_inputs");
        switch (n.getOpType()) {
            case "Dropout", "BatchNormalization" -> remove(b, "is_test");
            case "Gemm" -> remove(b, "broadcast");
            case "PRelu" -> perChannelSlope(b);
            case "Reshape" -> attribute(n, "shape").ifPresent(a -> {
                remove(b, "shape");
                b.addInput(addInitializer(n.getOutput(0) + "_shape", longTensor(a.getIntsList())));
            });
            case "Concat" -> {
                if (attribute(n, "axis").isEmpty()) {
                    b.addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                            .setI(1));
                }
            }
            case "Pad" -> attribute(n, "paddings").ifPresent(a -> {
                remove(b, "paddings");
                b.addAttribute(a.toBuilder().setName("pads"));
            });
            case "Cast" -> attribute(n, "to").filter(a -> a.getType() == AttributeProto.AttributeType.STRING)
                    .ifPresent(a -> {
                        String type = a.getS().toStringUtf8().toUpperCase(Locale.ROOT);
                        DataType t;
                        try {
                            t = DataType.valueOf(type);
                        } catch (IllegalArgumentException e) {
                            throw refuse(n, "casts to the unknown type '" + InvalidModelException.oneLine(type) + "'");
                        }
                        remove(b, "to");
                        b.addAttribute(AttributeProto.newBuilder().setName("to")
                                .setType(AttributeProto.AttributeType.INT).setI(t.code()));
                    });
            case "Upsample" -> scalesOfUpsampleOne(n, b);
            case "Tile" -> {
                if (n.getInputCount() > 2) {
                    throw refuse(n, "takes tiles and an axis (opset 1), which opset 6 replaced by repeats");
                }
            }
            case "Split" -> {
                if (n.getInputCount() > 1) {
                    throw refuse(n, "takes its split as an input, which opset 2 made an attribute");
                }
            }
            default -> {
                if (LEGACY_BROADCAST.contains(n.getOpType())) {
                    numpyBroadcast(n, b);
                }
            }
        }
        return b.build();
    }

    /**
     * Upsample-1 (experimental: {@code height_scale}, {@code width_scale}, mode {@code nearest} or
     * {@code bilinear}) as Upsample-7 ({@code scales} of every axis, mode {@code nearest} or
     * {@code linear}) on its 4-D input.
     */
    private void scalesOfUpsampleOne(NodeProto n, NodeProto.Builder b) {
        Optional<AttributeProto> height = attribute(n, "height_scale");
        Optional<AttributeProto> width = attribute(n, "width_scale");
        if (height.isEmpty() || width.isEmpty()) {
            throw refuse(n, "has no height_scale and width_scale");
        }
        String mode = attribute(n, "mode").map(a -> a.getS().toStringUtf8()).orElse("nearest");
        remove(b, "height_scale");
        remove(b, "width_scale");
        remove(b, "mode");
        b.addAttribute(AttributeProto.newBuilder().setName("scales").setType(AttributeProto.AttributeType.FLOATS)
                .addFloats(1).addFloats(1).addFloats(height.get().getF()).addFloats(width.get().getF()));
        b.addAttribute(AttributeProto.newBuilder().setName("mode").setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(mode.equals("bilinear") ? "linear" : mode)));
    }

    /**
     * {@code broadcast}/{@code axis} as numpy broadcasting: B matched from axis {@code axis} of A gets
     * trailing axes of 1 (a constant B: an initializer, or a Constant node's value, made an initializer).
     */
    private void numpyBroadcast(NodeProto n, NodeProto.Builder b) {
        long broadcast = attribute(n, "broadcast").map(AttributeProto::getI).orElse(0L);
        Optional<Long> axis = attribute(n, "axis").map(AttributeProto::getI);
        remove(b, "broadcast");
        remove(b, "axis");
        if (broadcast == 0 || axis.isEmpty() || n.getInputCount() < 2) {
            return; // equal shapes, or B matched to A's last axes: what numpy does too
        }
        TensorProto bTensor = constant(n.getInput(1));
        if (bTensor != null && elements(bTensor) == 1) {
            return; // one value broadcasts alike whatever its axes
        }
        Integer rankA = ranks.get(n.getInput(0));
        Integer rankB = bTensor != null ? Integer.valueOf(bTensor.getDimsCount()) : ranks.get(n.getInput(1));
        if (rankA == null || rankB == null) {
            throw refuse(n, "broadcasts along axis " + axis.get() + " a tensor whose rank is not known");
        }
        long from = axis.get() < 0 ? axis.get() + rankA : axis.get();
        long trailing = rankA - from - rankB;
        if (from < 0 || trailing < 0) {
            throw refuse(n, "broadcasts a tensor of rank " + rankB + " from axis " + axis.get()
                    + " of a tensor of rank " + rankA);
        }
        if (trailing > 0) {
            if (bTensor == null) {
                throw refuse(n, "broadcasts a computed tensor along axis " + axis.get());
            }
            b.setInput(1, withTrailingOnes(bTensor.toBuilder().setName(n.getInput(1)).build(), (int) trailing));
        }
    }

    /** The value of {@code name} where the file holds it: an initializer, or a Constant node's {@code value}. */
    private TensorProto constant(String name) {
        TensorProto t = initializers.get(name);
        return t != null ? t : constantNodes.get(name);
    }

    private static long elements(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    /** PRelu's slope {@code [C]} (C > 1) applied to axis 1 of X, as opset 7's broadcasting says it: {@code [C, 1, ...]}. */
    private void perChannelSlope(NodeProto.Builder b) {
        TensorProto slope = b.getInputCount() > 1 ? initializers.get(b.getInput(1)) : null;
        if (slope == null || slope.getDimsCount() != 1 || slope.getDims(0) <= 1) {
            return;
        }
        Integer rankX = ranks.get(b.getInput(0));
        if (rankX == null) {
            throw refuse(b.build(), "has a slope per channel of a tensor whose rank is not known");
        }
        if (rankX > 2) {
            b.setInput(1, withTrailingOnes(slope, rankX - 2));
        }
    }

    /** A new initializer: {@code t}'s values with {@code ones} axes of size 1 after its own; its name. */
    private String withTrailingOnes(TensorProto t, int ones) {
        TensorProto.Builder reshaped = t.toBuilder();
        for (int k = 0; k < ones; k++) {
            reshaped.addDims(1);
        }
        return addInitializer(t.getName() + "_rank" + reshaped.getDimsCount(), reshaped);
    }

    private String addInitializer(String wanted, TensorProto.Builder t) {
        String name = wanted;
        while (!names.add(name)) {
            name = name + "_";
        }
        TensorProto built = t.setName(name).build();
        graph.addInitializer(built);
        initializers.put(name, built);
        ranks.put(name, built.getDimsCount());
        return name;
    }

    private static TensorProto.Builder longTensor(java.util.List<Long> values) {
        ByteBuffer raw = ByteBuffer.allocate(8 * values.size()).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(raw::putLong);
        return TensorProto.newBuilder().setDataType(DataType.INT64.code()).addDims(values.size())
                .setRawData(ByteString.copyFrom(raw.array()));
    }

    /** The rank of {@code n}'s outputs where the op says it without running anything; empty otherwise. */
    private Optional<Integer> rank(NodeProto n) {
        Integer first = n.getInputCount() > 0 ? ranks.get(n.getInput(0)) : null;
        String op = n.getOpType();
        switch (op) {
            case "Gemm", "Flatten":
                return Optional.of(2);
            case "Reshape":
                if (n.getInputCount() > 1 && initializers.containsKey(n.getInput(1))) {
                    TensorProto shape = initializers.get(n.getInput(1));
                    return Optional.of(shape.getDimsCount() == 0 ? 0 : (int) shape.getDims(0));
                }
                return Optional.empty();
            case "Squeeze":
                return first == null ? Optional.empty()
                        : attribute(n, "axes").map(a -> first - a.getIntsCount());
            case "Unsqueeze":
                return first == null ? Optional.empty()
                        : attribute(n, "axes").map(a -> first + a.getIntsCount());
            default:
                return SAME_RANK.contains(op) ? Optional.ofNullable(first) : Optional.empty();
        }
    }

    private InvalidModelException refuse(NodeProto n, String why) {
        String name = n.getName().isEmpty() ? (n.getOutputCount() > 0 ? n.getOutput(0) : "") : n.getName();
        return new InvalidModelException(file, "opset " + opset + ": node '" + InvalidModelException.oneLine(name)
                + "' (" + InvalidModelException.oneLine(n.getOpType()) + ") " + why + "; dnnvis brings opsets 1 to 6 "
                + "to opset 7 (the oldest ONNX Runtime reads) where their ops allow it");
    }

    private static Optional<AttributeProto> attribute(NodeProto n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }

    private static void remove(NodeProto.Builder b, String attribute) {
        for (int k = b.getAttributeCount() - 1; k >= 0; k--) {
            if (b.getAttribute(k).getName().equals(attribute)) {
                b.removeAttribute(k);
            }
        }
    }
}
