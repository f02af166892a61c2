package io.dnnvis.modelbuild;

import static io.dnnvis.onnx.build.OnnxProtos.floatAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intAttr;
import static io.dnnvis.onnx.build.OnnxProtos.intsAttr;

import com.google.protobuf.UnsafeByteOperations;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.LoadOptions;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.onnx.proto.OnnxProto.StringStringEntryProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * A fluent builder for small ONNX models in the default operator domain, with float32 inputs and
 * outputs and float32 or int64 initializers.
 *
 * <pre>{@code
 * Random rnd = new Random(42);
 * ModelBuilder b = ModelBuilder.create(13).name("tiny");
 * String x = b.input("x", -1, 3, 32, 32);               // -1: dynamic batch dim "N"
 * String y = b.relu(b.conv(x, 3, 8, 3, 1, 1, 1, rnd));  // Conv_1 -> Relu_1
 * b.output(b.gemm(b.flatten(b.globalAvgPool(y), 1), 8, 10, rnd));
 * OnnxModel model = b.load();
 * }</pre>
 *
 * <p>Every layer method returns the name of the tensor it produces, to be passed to the next one.
 * Nodes get fresh names from a counter per op type ({@code Conv_1}, {@code Conv_2}, ...), so the
 * n-th node of an op is also the layer alias {@code convN} unless {@link #node} was called with
 * names that collide; a node's output is {@code <node>_out} ({@code <node>_out0}, {@code _out1}...
 * for several outputs) and the weights a layer method creates are {@code <node>_W},
 * {@code <node>_B} and so on. Names given by the caller must be unused; a name already taken is
 * refused, and generated names skip over names the caller took.
 *
 * <p>Weights are drawn from the {@link Random} passed in, in call order, so the same calls with
 * equally seeded generators give byte-identical models. Layer methods write their attributes in
 * the encoding of the builder's opset ({@link #clip} for example).
 *
 * <p>A builder is not thread-safe. {@link #build()} may be called any number of times; each call
 * returns an immutable {@link ModelProto} of the graph as it stands.
 */
public final class ModelBuilder {

    /** The model and graph name used until {@link #name(String)} sets another. */
    public static final String DEFAULT_NAME = "model";
    /** The producer name used until {@link #producer(String)} sets another. */
    public static final String DEFAULT_PRODUCER = "dnnvis";

    /** BatchNormalization epsilon, as PyTorch writes it. */
    private static final float BATCH_NORM_EPSILON = 1e-5f;
    /** The first opset whose MaxPool and AveragePool know {@code ceil_mode}. */
    private static final long CEIL_MODE_OPSET = 10;
    /** The first opset whose Clip takes min and max as inputs instead of attributes. */
    private static final long CLIP_INPUTS_OPSET = 11;
    /** Raw data above this cannot live in one Java array or one protobuf message. */
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private final long opset;
    private String name = DEFAULT_NAME;
    private String producer = DEFAULT_PRODUCER;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<NodeProto> nodes = new ArrayList<>();
    /** Tensors a node may read: graph inputs, initializers and node outputs. */
    private final Set<String> definedTensors = new HashSet<>();
    /** Tensors already marked as graph outputs. */
    private final Set<String> outputTensors = new HashSet<>();
    /** Every name in use, tensors and nodes alike, so that no node shares a name with a tensor. */
    private final Set<String> takenNames = new HashSet<>();
    /** The highest counter handed out per op type. */
    private final Map<String, Integer> nodeCounters = new HashMap<>();

    private ModelBuilder(long opset) {
        this.opset = opset;
    }

    /**
     * Starts an empty model importing {@code opset} of the default ONNX domain. The IR version
     * follows from the opset (see {@link #irVersionFor(long)}).
     *
     * @throws IllegalArgumentException if dnnvis cannot load models of that opset
     *     ({@link OnnxModel#MIN_OPSET} to {@link OnnxModel#MAX_OPSET})
     */
    public static ModelBuilder create(long opset) {
        if (opset < OnnxModel.MIN_OPSET || opset > OnnxModel.MAX_OPSET) {
            throw new IllegalArgumentException("opset " + opset + " is outside what dnnvis loads ("
                    + OnnxModel.MIN_OPSET + " to " + OnnxModel.MAX_OPSET + ")");
        }
        return new ModelBuilder(opset);
    }

    /** The IR version written for {@code opset}: 8 up to opset 17, 9 for 18 to 20, 10 from 21 on. */
    public static long irVersionFor(long opset) {
        if (opset <= 17) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }

    /** The opset of the default domain this builder writes. */
    public long opset() {
        return opset;
    }

    /** The model's name: the graph name, and {@code name + ".onnx"} is how {@link #load()} names it. */
    public String name() {
        return name;
    }

    /** Sets the model and graph name. */
    public ModelBuilder name(String modelName) {
        this.name = requireName(modelName, "model name");
        return this;
    }

    /** Sets the producer name written into the model. */
    public ModelBuilder producer(String producerName) {
        this.producer = requireName(producerName, "producer name");
        return this;
    }

    /** Adds a metadata entry; a key set twice keeps its first position and its last value. */
    public ModelBuilder metadata(String key, String value) {
        metadata.put(requireName(key, "metadata key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    // ---------------------------------------------------------------- inputs, outputs, initializers

    /**
     * Declares a float32 graph input.
     *
     * @param dims the shape; a negative dim is the dynamic dim {@code N}
     * @return {@code inputName}
     */
    public String input(String inputName, long... dims) {
        claimTensor(inputName);
        inputs.add(OnnxProtos.tensorInfo(inputName, DataType.FLOAT, dims));
        return inputName;
    }

    /**
     * Marks a tensor as a float32 graph output of undeclared shape.
     *
     * @return {@code tensor}
     */
    public String output(String tensor) {
        requireNewOutput(tensor);
        outputs.add(OnnxProtos.tensorInfoUnknownShape(tensor, DataType.FLOAT));
        return tensor;
    }

    /**
     * Marks a tensor as a float32 graph output of the given shape.
     *
     * @param dims the shape; a negative dim is the dynamic dim {@code N}
     * @return {@code tensor}
     */
    public String output(String tensor, long... dims) {
        requireNewOutput(tensor);
        outputs.add(OnnxProtos.tensorInfo(tensor, DataType.FLOAT, dims));
        return tensor;
    }

    /**
     * Adds a float32 initializer; the values are copied.
     *
     * @param values row-major, as many as the dims hold
     * @return {@code initializerName}
     */
    public String initializer(String initializerName, long[] dims, float[] values) {
        int count = elementCount(initializerName, dims, Float.BYTES);
        requireValueCount(initializerName, dims, count, values.length);
        ByteBuffer raw = littleEndian(count, Float.BYTES);
        raw.asFloatBuffer().put(values);
        return addInitializer(initializerName, DataType.FLOAT, dims, raw.array());
    }

    /**
     * Adds an int64 initializer (a Reshape shape, for example); the values are copied.
     *
     * @param values row-major, as many as the dims hold
     * @return {@code initializerName}
     */
    public String initializerLongs(String initializerName, long[] dims, long[] values) {
        int count = elementCount(initializerName, dims, Long.BYTES);
        requireValueCount(initializerName, dims, count, values.length);
        ByteBuffer raw = littleEndian(count, Long.BYTES);
        raw.asLongBuffer().put(values);
        return addInitializer(initializerName, DataType.INT64, dims, raw.array());
    }

    /**
     * Adds a float32 initializer drawn uniformly from {@code [-scale, scale]}, one
     * {@link Random#nextFloat()} per element in row-major order.
     *
     * @return {@code initializerName}
     */
    public String randomInitializer(String initializerName, Random rnd, double scale, long... dims) {
        if (!(scale >= 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("initializer '" + initializerName
                    + "': scale must be finite and not negative, got " + scale);
        }
        return uniformInitializer(initializerName, rnd, -scale, scale, dims);
    }

    // ---------------------------------------------------------------- generic nodes

    /**
     * Adds a node of the default domain with one output.
     *
     * @param inputs tensors already defined in this builder; an empty string is an absent optional input
     * @return the output's name, {@code <node>_out}
     * @throws IllegalArgumentException if an input is not defined yet
     */
    public String node(String opType, List<String> inputs, AttributeProto... attributes) {
        return nodeMulti(opType, inputs, 1, attributes).get(0);
    }

    /**
     * Adds a node of the default domain with {@code outputs} outputs.
     *
     * @param inputs tensors already defined in this builder; an empty string is an absent optional input
     * @return the output names in order: {@code <node>_out} for one output, else {@code <node>_out0},
     *     {@code <node>_out1}, ... (immutable)
     */
    public List<String> nodeMulti(String opType, List<String> inputs, int outputs, AttributeProto... attributes) {
        requireName(opType, "op type");
        if (outputs < 1) {
            throw new IllegalArgumentException(opType + " node needs at least one output, got " + outputs);
        }
        requireDefined(opType, inputs);
        String nodeName = reserveNodeName(opType, outputs);
        return addNode(nodeName, opType, inputs, outputs, attributes);
    }

    // ---------------------------------------------------------------- CNN layers

    /**
     * A 2-D Conv with square kernel, stride and padding, weights {@code [out, in/group, k, k]}
     * drawn He-uniform (bound {@code sqrt(6 / fanIn)}, {@code fanIn = in/group * k * k}) and a bias
     * drawn from {@code [-1/sqrt(fanIn), 1/sqrt(fanIn)]}, as PyTorch initialises it.
     *
     * @return the Conv output
     */
    public String conv(String x, int inChannels, int outChannels, int kernel, int stride, int pad, int group,
            Random rnd) {
        return convDilated(x, inChannels, outChannels, kernel, stride, pad, 1, group, rnd);
    }

    /**
     * Like {@link #conv} with a dilation other than 1.
     *
     * @return the Conv output
     */
    public String convDilated(String x, int inChannels, int outChannels, int kernel, int stride, int pad,
            int dilation, int group, Random rnd) {
        requirePositive("Conv", "inChannels", inChannels);
        requirePositive("Conv", "outChannels", outChannels);
        requirePositive("Conv", "kernel", kernel);
        requirePositive("Conv", "stride", stride);
        requirePositive("Conv", "dilation", dilation);
        requirePositive("Conv", "group", group);
        requireNotNegative("Conv", "pad", pad);
        if (inChannels % group != 0 || outChannels % group != 0) {
            throw new IllegalArgumentException("Conv: group " + group + " must divide inChannels " + inChannels
                    + " and outChannels " + outChannels);
        }
        requireDefined("Conv", List.of(x));
        String nodeName = reserveNodeName("Conv", 1, "_W", "_B");
        long fanIn = (long) (inChannels / group) * kernel * kernel;
        String weights = randomInitializer(nodeName + "_W", rnd, Math.sqrt(6.0 / fanIn),
                outChannels, inChannels / group, kernel, kernel);
        String bias = randomInitializer(nodeName + "_B", rnd, 1 / Math.sqrt(fanIn), outChannels);
        return addNode(nodeName, "Conv", List.of(x, weights, bias), 1,
                intsAttr("kernel_shape", kernel, kernel),
                intsAttr("strides", stride, stride),
                intsAttr("pads", pad, pad, pad, pad),
                intsAttr("dilations", dilation, dilation),
                intAttr("group", group)).get(0);
    }

    /** A Relu. */
    public String relu(String x) {
        return node("Relu", List.of(x));
    }

    /** A Sigmoid. */
    public String sigmoid(String x) {
        return node("Sigmoid", List.of(x));
    }

    /** A HardSigmoid: {@code max(0, min(1, alpha * x + beta))}. */
    public String hardSigmoid(String x, float alpha, float beta) {
        return node("HardSigmoid", List.of(x), floatAttr("alpha", alpha), floatAttr("beta", beta));
    }

    /**
     * A Softmax over {@code axis}, written explicitly (its default changed in opset 13). Below opset
     * 13 ONNX flattens the input to 2-D at {@code axis} first.
     */
    public String softmax(String x, int axis) {
        return node("Softmax", List.of(x), intAttr("axis", axis));
    }

    /**
     * A 2-D MaxPool with square kernel, stride and padding.
     *
     * @param ceilMode round the output size up; needs opset 10 or later
     * @throws IllegalArgumentException if {@code ceilMode} is set below opset 10
     */
    public String maxPool(String x, int kernel, int stride, int pad, boolean ceilMode) {
        List<AttributeProto> attributes = poolAttributes("MaxPool", kernel, stride, pad, ceilMode);
        return node("MaxPool", List.of(x), attributes.toArray(AttributeProto[]::new));
    }

    /**
     * A 2-D AveragePool with square kernel, stride and padding, output size rounded down.
     *
     * @param countIncludePad whether padded zeros count in the average's divisor
     */
    public String avgPool(String x, int kernel, int stride, int pad, boolean countIncludePad) {
        List<AttributeProto> attributes = poolAttributes("AveragePool", kernel, stride, pad, false);
        attributes.add(intAttr("count_include_pad", countIncludePad ? 1 : 0));
        return node("AveragePool", List.of(x), attributes.toArray(AttributeProto[]::new));
    }

    /** A GlobalAveragePool. */
    public String globalAvgPool(String x) {
        return node("GlobalAveragePool", List.of(x));
    }

    /**
     * An inference BatchNormalization with epsilon 1e-5 and random statistics: scale and variance
     * from {@code [0.5, 1.5]}, bias and mean from {@code [-0.1, 0.1]}, each {@code [channels]}.
     */
    public String batchNorm(String x, int channels, Random rnd) {
        requirePositive("BatchNormalization", "channels", channels);
        requireDefined("BatchNormalization", List.of(x));
        String nodeName = reserveNodeName("BatchNormalization", 1, "_scale", "_bias", "_mean", "_var");
        String scale = uniformInitializer(nodeName + "_scale", rnd, 0.5, 1.5, channels);
        String bias = uniformInitializer(nodeName + "_bias", rnd, -0.1, 0.1, channels);
        String mean = uniformInitializer(nodeName + "_mean", rnd, -0.1, 0.1, channels);
        String variance = uniformInitializer(nodeName + "_var", rnd, 0.5, 1.5, channels);
        return addNode(nodeName, "BatchNormalization", List.of(x, scale, bias, mean, variance), 1,
                floatAttr("epsilon", BATCH_NORM_EPSILON)).get(0);
    }

    /** A local response normalisation across {@code size} channels (AlexNet: 5, 1e-4, 0.75, 1 or 2). */
    public String lrn(String x, int size, float alpha, float beta, float bias) {
        requirePositive("LRN", "size", size);
        return node("LRN", List.of(x), intAttr("size", size), floatAttr("alpha", alpha), floatAttr("beta", beta),
                floatAttr("bias", bias));
    }

    /** A Flatten to 2-D: dims before {@code axis} become the rows. */
    public String flatten(String x, int axis) {
        return node("Flatten", List.of(x), intAttr("axis", axis));
    }

    /**
     * A Reshape to {@code shape} (ONNX rules: 0 copies a dim, -1 is inferred), the shape stored as
     * the int64 initializer {@code <node>_shape}.
     */
    public String reshape(String x, long... shape) {
        requireDefined("Reshape", List.of(x));
        String nodeName = reserveNodeName("Reshape", 1, "_shape");
        String target = initializerLongs(nodeName + "_shape", new long[] {shape.length}, shape);
        return addNode(nodeName, "Reshape", List.of(x, target), 1).get(0);
    }

    /**
     * A fully connected layer as PyTorch exports it: Gemm with {@code transB=1}, weights
     * {@code [out, in]} drawn He-uniform (bound {@code sqrt(6 / in)}) and a bias {@code [out]} from
     * {@code [-1/sqrt(in), 1/sqrt(in)]}.
     */
    public String gemm(String x, int inFeatures, int outFeatures, Random rnd) {
        requirePositive("Gemm", "inFeatures", inFeatures);
        requirePositive("Gemm", "outFeatures", outFeatures);
        requireDefined("Gemm", List.of(x));
        String nodeName = reserveNodeName("Gemm", 1, "_W", "_B");
        String weights = randomInitializer(nodeName + "_W", rnd, Math.sqrt(6.0 / inFeatures),
                outFeatures, inFeatures);
        String bias = randomInitializer(nodeName + "_B", rnd, 1 / Math.sqrt(inFeatures), outFeatures);
        return addNode(nodeName, "Gemm", List.of(x, weights, bias), 1, intAttr("transB", 1)).get(0);
    }

    /** An element-wise, broadcasting Add. */
    public String add(String a, String b) {
        return node("Add", List.of(a, b));
    }

    /** An element-wise, broadcasting Mul. */
    public String mul(String a, String b) {
        return node("Mul", List.of(a, b));
    }

    /** A Concat of one or more tensors along {@code axis}. */
    public String concat(int axis, String... xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("Concat needs at least one input");
        }
        return node("Concat", List.of(xs), intAttr("axis", axis));
    }

    /**
     * A Clip to {@code [min, max]}: from opset 11 the bounds are the scalar float initializers
     * {@code <node>_min} and {@code <node>_max} fed as inputs, below it they are attributes.
     */
    public String clip(String x, float min, float max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("Clip: min " + min + " must not exceed max " + max);
        }
        if (opset < CLIP_INPUTS_OPSET) {
            return node("Clip", List.of(x), floatAttr("min", min), floatAttr("max", max));
        }
        requireDefined("Clip", List.of(x));
        String nodeName = reserveNodeName("Clip", 1, "_min", "_max");
        String lower = initializer(nodeName + "_min", new long[0], new float[] {min});
        String upper = initializer(nodeName + "_max", new long[0], new float[] {max});
        return addNode(nodeName, "Clip", List.of(x, lower, upper), 1).get(0);
    }

    // ---------------------------------------------------------------- output

    /**
     * The model as it stands: IR version for the opset, one opset import of the default domain,
     * producer, metadata, and the graph with inputs, initializers, nodes and outputs in the order
     * they were added.
     *
     * @throws IllegalStateException if no graph output was marked
     */
    public ModelProto build() {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("model '" + name + "' has no outputs; mark one with output(...)");
        }
        GraphProto graph = GraphProto.newBuilder()
                .setName(name)
                .addAllNode(nodes)
                .addAllInitializer(initializers)
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .build();
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(irVersionFor(opset))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setProducerName(producer)
                .setGraph(graph);
        metadata.forEach((key, value) ->
                model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return model.build();
    }

    /** The serialized model; see {@link #build()}. */
    public byte[] toBytes() {
        return build().toByteArray();
    }

    /**
     * Loads the model through dnnvis's validation, named {@code name + ".onnx"} in messages.
     *
     * @throws io.dnnvis.onnx.InvalidModelException if dnnvis refuses the model
     */
    public OnnxModel load() {
        return OnnxModel.fromBytes(toBytes(), Path.of(name + ".onnx"), LoadOptions.defaults());
    }

    /** Writes the serialized model to {@code file}, replacing it if it exists. */
    public void write(Path file) throws IOException {
        ModelProto model = build();
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    // ---------------------------------------------------------------- internals

    private List<AttributeProto> poolAttributes(String op, int kernel, int stride, int pad, boolean ceilMode) {
        requirePositive(op, "kernel", kernel);
        requirePositive(op, "stride", stride);
        requireNotNegative(op, "pad", pad);
        List<AttributeProto> attributes = new ArrayList<>(List.of(
                intsAttr("kernel_shape", kernel, kernel),
                intsAttr("strides", stride, stride),
                intsAttr("pads", pad, pad, pad, pad)));
        if (opset >= CEIL_MODE_OPSET) {
            attributes.add(intAttr("ceil_mode", ceilMode ? 1 : 0));
        } else if (ceilMode) {
            throw new IllegalArgumentException(op + ": ceil_mode needs opset " + CEIL_MODE_OPSET
                    + " or later; this model is opset " + opset);
        }
        return attributes;
    }

    /** A float32 initializer drawn uniformly from {@code [low, high]}, one nextFloat per element. */
    private String uniformInitializer(String initializerName, Random rnd, double low, double high, long... dims) {
        Objects.requireNonNull(rnd, "rnd");
        int count = elementCount(initializerName, dims, Float.BYTES);
        float lo = (float) low;
        float width = (float) (high - low);
        ByteBuffer raw = littleEndian(count, Float.BYTES);
        for (int k = 0; k < count; k++) {
            raw.putFloat(lo + width * rnd.nextFloat());
        }
        return addInitializer(initializerName, DataType.FLOAT, dims, raw.array());
    }

    /**
     * Registers an initializer whose raw bytes this builder owns. They are wrapped, not copied
     * again, which halves the peak memory of full-size weights; nothing writes to them afterwards.
     */
    private String addInitializer(String initializerName, DataType type, long[] dims, byte[] ownedRaw) {
        claimTensor(initializerName);
        TensorProto.Builder tensor = TensorProto.newBuilder()
                .setName(initializerName)
                .setDataType(type.code())
                .setRawData(UnsafeByteOperations.unsafeWrap(ownedRaw));
        for (long d : dims) {
            tensor.addDims(d);
        }
        initializers.add(tensor.build());
        return initializerName;
    }

    /**
     * Picks the next free {@code <opType>_<k>} whose outputs and derived names ({@code base + suffix})
     * are free too, and takes the node name.
     */
    private String reserveNodeName(String opType, int outputCount, String... derivedSuffixes) {
        int k = nodeCounters.getOrDefault(opType, 0);
        while (true) {
            k++;
            String candidate = opType + "_" + k;
            boolean free = !takenNames.contains(candidate);
            for (int o = 0; free && o < outputCount; o++) {
                free = !takenNames.contains(outputName(candidate, o, outputCount));
            }
            for (int s = 0; free && s < derivedSuffixes.length; s++) {
                free = !takenNames.contains(candidate + derivedSuffixes[s]);
            }
            if (free) {
                nodeCounters.put(opType, k);
                takenNames.add(candidate);
                return candidate;
            }
        }
    }

    private static String outputName(String nodeName, int index, int outputCount) {
        return outputCount == 1 ? nodeName + "_out" : nodeName + "_out" + index;
    }

    /** Adds a node whose name was reserved and whose inputs were checked. */
    private List<String> addNode(String nodeName, String opType, List<String> nodeInputs, int outputCount,
            AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setName(nodeName).setOpType(opType).addAllInput(nodeInputs);
        List<String> outputNames = new ArrayList<>(outputCount);
        for (int o = 0; o < outputCount; o++) {
            String out = outputName(nodeName, o, outputCount);
            claimTensor(out);
            node.addOutput(out);
            outputNames.add(out);
        }
        node.addAllAttribute(Arrays.asList(attributes));
        nodes.add(node.build());
        return List.copyOf(outputNames);
    }

    private void claimTensor(String tensor) {
        requireName(tensor, "tensor name");
        if (!takenNames.add(tensor)) {
            throw new IllegalArgumentException("name '" + tensor + "' is already used in model '" + name + "'");
        }
        definedTensors.add(tensor);
    }

    private void requireDefined(String opType, List<String> nodeInputs) {
        for (String in : nodeInputs) {
            Objects.requireNonNull(in, opType + " input");
            if (!in.isEmpty() && !definedTensors.contains(in)) {
                throw new IllegalArgumentException(opType + " reads '" + in
                        + "', which is no input, initializer or node output of model '" + name + "' yet");
            }
        }
    }

    private void requireNewOutput(String tensor) {
        requireName(tensor, "output tensor");
        if (!definedTensors.contains(tensor)) {
            throw new IllegalArgumentException("cannot mark '" + tensor + "' as output: model '" + name
                    + "' defines no such tensor");
        }
        if (!outputTensors.add(tensor)) {
            throw new IllegalArgumentException("'" + tensor + "' is already a graph output");
        }
    }

    private static String requireName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }

    private static void requirePositive(String op, String what, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(op + ": " + what + " must be positive, got " + value);
        }
    }

    private static void requireNotNegative(String op, String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(op + ": " + what + " must not be negative, got " + value);
        }
    }

    /** The element count of {@code dims}, checked to fit one raw_data array of {@code elementBytes}. */
    private static int elementCount(String tensor, long[] dims, int elementBytes) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("initializer '" + tensor + "' has negative dim in "
                        + Arrays.toString(dims));
            }
            if (d != 0 && count > MAX_TENSOR_BYTES / elementBytes / d) {
                throw new IllegalArgumentException("initializer '" + tensor + "' of dims " + Arrays.toString(dims)
                        + " is larger than one protobuf message can hold (2 GiB)");
            }
            count *= d;
        }
        return (int) count;
    }

    private static void requireValueCount(String tensor, long[] dims, int expected, int actual) {
        if (expected != actual) {
            throw new IllegalArgumentException("initializer '" + tensor + "' of dims " + Arrays.toString(dims)
                    + " holds " + expected + " values, got " + actual);
        }
    }

    private static ByteBuffer littleEndian(int count, int elementBytes) {
        return ByteBuffer.allocate(count * elementBytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
