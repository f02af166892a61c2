package io.dnnvis.onnx;

import static io.dnnvis.onnx.TinyModels.FLOAT;
import static io.dnnvis.onnx.TinyModels.emptyTensor;
import static io.dnnvis.onnx.TinyModels.externalTensor;
import static io.dnnvis.onnx.TinyModels.floatBytes;
import static io.dnnvis.onnx.TinyModels.floatTensor;
import static io.dnnvis.onnx.TinyModels.info;
import static io.dnnvis.onnx.TinyModels.node;
import static io.dnnvis.onnx.TinyModels.rawTensor;
import static io.dnnvis.onnx.TinyModels.reluGraph;
import static io.dnnvis.onnx.TinyModels.reluModel;
import static io.dnnvis.onnx.TinyModels.withInitializer;
import static io.dnnvis.onnx.TinyModels.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.protobuf.ByteString;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.FunctionProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.TypeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import io.dnnvis.testdata.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a model file is refused, each with its exact one-line message. */
class RejectionTest {

    @TempDir
    Path dir;

    private static void assertRejected(Path file, String problem) {
        assertRejected(file, LoadOptions.defaults(), problem);
    }

    private static void assertRejected(Path file, LoadOptions options, String problem) {
        assertThatThrownBy(() -> OnnxModel.load(file, options))
                .isInstanceOf(InvalidModelException.class)
                .hasMessage(file + ": " + problem)
                .satisfies(e -> {
                    InvalidModelException ime = (InvalidModelException) e;
                    assertThat(ime.file()).isEqualTo(file);
                    assertThat(ime.problem()).isEqualTo(problem);
                });
    }

    private Path model(ModelProto model) {
        return write(dir.resolve("model.onnx"), model);
    }

    private Path model(GraphProto.Builder graph) {
        return model(reluModel().setGraph(graph).build());
    }

    // ----- the file itself -----

    @Test
    void missingFile() {
        assertRejected(dir.resolve("missing.onnx"), "file not found");
    }

    @Test
    void folder() {
        assertRejected(dir, "is a folder, not an ONNX model file");
    }

    @Test
    void fifoAsModelFileDoesNotHang() throws Exception {
        Path fifo = dir.resolve("model.onnx");
        mkfifo(fifo);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertRejected(fifo, "is not a regular file"));
    }

    @Test
    void deviceFileDoesNotHang() {
        Path zero = Path.of("/dev/zero");
        Assumptions.assumeTrue(Files.exists(zero), "no /dev/zero here");
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertRejected(zero, "is not a regular file"));
    }

    @Test
    void emptyFile() {
        assertRejected(write(dir.resolve("empty.onnx"), new byte[0]), "not an ONNX model: the file is empty");
    }

    @Test
    void textFile() {
        Path file = write(dir.resolve("README.onnx"),
                "dnnvis: see what the neurons of any ONNX CNN respond to.\n".getBytes(StandardCharsets.UTF_8));
        assertRejected(file, "not an ONNX model: the file is text, not a binary ONNX protobuf");
    }

    @Test
    void gitLfsPointer() {
        Path file = write(dir.resolve("pointer.onnx"), ("version https://git-lfs.github.com/spec/v1\n"
                + "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                + "size 12345\n").getBytes(StandardCharsets.UTF_8));
        assertRejected(file, "not an ONNX model: the file is text, not a binary ONNX protobuf");
    }

    @Test
    void randomBytes() {
        byte[] bytes = new byte[4096];
        new Random(42).nextBytes(bytes);
        assertRejected(write(dir.resolve("random.onnx"), bytes), "not an ONNX model (invalid protobuf: CodedInputStream encountered an embedded string"
                + " or message which claimed to have negative size)");
    }

    @Test
    void truncatedModel() throws IOException {
        byte[] whole = Files.readAllBytes(TestData.referenceModel("alexnet-mini"));
        Path file = write(dir.resolve("truncated.onnx"), Arrays.copyOf(whole, whole.length / 2));
        assertRejected(file, "truncated or corrupt ONNX file (the protobuf data ends early)");
    }

    @Test
    void serializedTensorProto() {
        TensorProto tensor = floatTensor("weights", new long[] {2, 2}, 1, 2, 3, 4).build();
        assertRejected(write(dir.resolve("tensor.onnx"), tensor.toByteArray()), "not an ONNX model (invalid protobuf: Protocol message tag had invalid wire type)");
    }

    @Test
    void nestingDeeperThanTheProtobufLimit() {
        GraphProto.Builder g = reluGraph();
        for (int level = 0; level < 30; level++) {
            AttributeProto body = AttributeProto.newBuilder().setName("body")
                    .setType(AttributeProto.AttributeType.GRAPH).setG(g).build();
            g = reluGraph().setNode(0, NodeProto.newBuilder().setName("loop" + level).setOpType("Loop")
                    .addInput("x").addOutput("y").addAttribute(body));
        }
        assertRejected(model(g), "protobuf nesting deeper than 64 levels; refused");
    }

    // ----- the model header -----

    @Test
    void modelWithoutGraph() {
        assertRejected(model(reluModel().clearGraph().build()), "model has no graph");
    }

    @Test
    void modelWithoutIrVersion() {
        assertRejected(model(reluModel().clearIrVersion().build()), "model has no ir_version");
    }

    @Test
    void unsupportedIrVersion() {
        assertRejected(model(reluModel().setIrVersion(99).build()), "unsupported IR version 99 (dnnvis reads IR 3 to 11)");
    }

    @Test
    void noDefaultDomainOpset() {
        ModelProto m = reluModel().clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1))
                .build();
        assertRejected(model(m), "model imports no opset of the default ONNX domain");
    }

    @Test
    void unsupportedOpset() {
        ModelProto m = reluModel().clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(99))
                .build();
        assertRejected(model(m), "unsupported opset 99 (dnnvis reads opsets 7 to 24)");
    }

    @Test
    void opsetImportedTwice() {
        ModelProto m = reluModel()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx").setVersion(13))
                .build();
        assertRejected(model(m), "opset for domain '' imported twice");
    }

    @Test
    void modelLocalFunctionsThatCannotBeInlined() {
        NodeProto call = NodeProto.newBuilder().setName("relu").setOpType("f").setDomain("local").addInput("x")
                .addOutput("y").build();
        OperatorSetIdProto local = OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1).build();
        // a function that calls itself
        ModelProto loop = reluModel().setGraph(reluGraph().setNode(0, call)).addOpsetImport(local)
                .addFunctions(FunctionProto.newBuilder().setName("f").setDomain("local").addInput("a").addOutput("b")
                        .addNode(NodeProto.newBuilder().setOpType("f").setDomain("local").addInput("a").addOutput("b")))
                .build();
        assertRejected(model(loop), "function 'f' is called through more than 32 nested functions (one that calls "
                + "itself, or a function of the ONNX domain named after an op its body uses?)");
        // a body reading a name it is not given
        ModelProto outer = reluModel().setGraph(reluGraph().setNode(0, call)).addOpsetImport(local)
                .addFunctions(FunctionProto.newBuilder().setName("f").setDomain("local").addInput("a").addOutput("b")
                        .addNode(node("inner", "Add", new String[] {"a", "x"}, new String[] {"b"})))
                .build();
        assertRejected(model(outer), "node 'relu' calling function 'f': its node 'inner' reads 'x', which the "
                + "function neither receives nor makes before it");
        ModelProto twice = reluModel()
                .addFunctions(FunctionProto.newBuilder().setName("f").setDomain("local").addInput("a").addOutput("b"))
                .addFunctions(FunctionProto.newBuilder().setName("f").setDomain("local").addInput("c").addOutput("d"))
                .build();
        assertRejected(model(twice), "function 'f' of domain 'local' is defined twice");
        ModelProto otherOpset = reluModel().setGraph(reluGraph().setNode(0, call)).addOpsetImport(local)
                .addFunctions(FunctionProto.newBuilder().setName("f").setDomain("local").addInput("a").addOutput("b")
                        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(18))
                        .addNode(node("inner", "Relu", new String[] {"a"}, new String[] {"b"})))
                .build();
        assertRejected(model(otherOpset), "function 'f' is written for opset 18 of the ONNX domain, the model for 13");
        ModelProto tooManyInputs = reluModel().setGraph(reluGraph().setNode(0, call.toBuilder().addInput("x")))
                .addOpsetImport(local)
                .addFunctions(FunctionProto.newBuilder().setName("f").setDomain("local").addInput("a").addOutput("b")
                        .addNode(node("inner", "Relu", new String[] {"a"}, new String[] {"b"})))
                .build();
        assertRejected(model(tooManyInputs), "node 'relu' calling function 'f': it gives 2 inputs and asks 1 outputs, "
                + "the function takes 1 and makes 1");
        ModelProto twiceNamed = reluModel().setGraph(reluGraph().setNode(0, call)).addOpsetImport(local)
                .addFunctions(FunctionProto.newBuilder().setName("f").setDomain("local").addInput("a").addOutput("b")
                        .addOutput("b").addNode(node("inner", "Relu", new String[] {"a"}, new String[] {"b"})))
                .build();
        assertRejected(model(twiceNamed), "function 'f' names an output twice");
    }

    /**
     * Functions that expand without end from a small file: each calling the one below it twice, with
     * empty bodies at the bottom (no node to count) or a large constant (bytes to copy). Refused
     * quickly, by the count of calls or by the inlined model's size, not by running out of memory.
     */
    @Test
    void functionsThatExpandExponentiallyAreRefused() {
        for (boolean constant : new boolean[] {false, true}) {
            ModelProto.Builder m = reluModel().addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("local")
                    .setVersion(1));
            FunctionProto.Builder bottom = FunctionProto.newBuilder().setName("E0").setDomain("local").addInput("a")
                    .addOutput("a");
            int levels = constant ? 9 : 30; // 2^30 calls, within the nesting limit
            if (constant) {
                float[] big = new float[4 << 20]; // 16 MiB, times 2^9 copies
                bottom.addNode(NodeProto.newBuilder().setOpType("Constant").setName("c").addOutput("k")
                        .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                                .setT(floatTensor("k", new long[] {big.length}, big))));
            }
            m.addFunctions(bottom);
            for (int i = 1; i <= levels; i++) {
                m.addFunctions(FunctionProto.newBuilder().setName("E" + i).setDomain("local").addInput("a").addOutput("b")
                        .addNode(NodeProto.newBuilder().setOpType("E" + (i - 1)).setDomain("local").addInput("a").addOutput("h"))
                        .addNode(NodeProto.newBuilder().setOpType("E" + (i - 1)).setDomain("local").addInput("h").addOutput("b")));
            }
            m.setGraph(reluGraph().setNode(0, NodeProto.newBuilder().setName("relu").setOpType("E" + levels)
                    .setDomain("local").addInput("x").addOutput("y")));
            Path file = model(m.build());
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> assertRejected(file, constant
                    ? "the model's functions inlined copy more bytes than 64 times the file (at least 268435456, at most "
                            + OnnxModel.MAX_FILE_BYTES + " bytes in all)"
                    : "the model's functions inlined make more than 100000 nodes and calls (1000 times the file's, at "
                            + "least 100000)"));
        }
    }

    // ----- the graph -----

    @Test
    void cycle() {
        GraphProto.Builder g = reluGraph().clearNode()
                .addNode(node("add", "Add", new String[] {"x", "y"}, new String[] {"a"}))
                .addNode(node("relu", "Relu", new String[] {"a"}, new String[] {"y"}));
        assertRejected(model(g), "graph has a cycle through nodes 'add' (Add), 'relu' (Relu)");
    }

    @Test
    void inputThatNobodyProduces() {
        GraphProto.Builder g = reluGraph().clearNode()
                .addNode(node("relu", "Relu", new String[] {"z"}, new String[] {"y"}));
        assertRejected(model(g),
                "node 'relu' (Relu) reads 'z', which no node produces and is no graph input or initializer");
    }

    @Test
    void duplicateOutputName() {
        GraphProto.Builder g = reluGraph()
                .addNode(node("relu2", "Relu", new String[] {"x"}, new String[] {"y"}));
        assertRejected(model(g),
                "node 'relu2' (Relu) output 'y' is already defined by another node, input or initializer");
    }

    @Test
    void nodeOutputShadowingGraphInput() {
        GraphProto.Builder g = reluGraph()
                .addNode(node("relu2", "Relu", new String[] {"y"}, new String[] {"x"}));
        assertRejected(model(g),
                "node 'relu2' (Relu) output 'x' is already defined by another node, input or initializer");
    }

    @Test
    void graphOutputProducedByNobody() {
        GraphProto.Builder g = reluGraph().addOutput(info("z", FLOAT, 1, 3, 4, 4));
        assertRejected(model(g), "graph output 'z' is produced by no node");
    }

    @Test
    void moreNodesThanTheLimit() {
        GraphProto.Builder g = reluGraph().addNode(node("relu2", "Relu", new String[] {"y"}, new String[] {"z"}));
        Path file = model(g);
        assertThat(OnnxModel.load(file).graph().nodes()).hasSize(2);
        assertRejected(file, new LoadOptions(LoadOptions.DEFAULT_MAX_TENSOR_BYTES, 1),
                "graph has 2 nodes, more than the limit of 1");
    }

    @Test
    void lineBreaksInNamesStayOnOneLine() {
        GraphProto.Builder g = reluGraph().clearNode()
                .addNode(node("re\nlu", "Relu", new String[] {"z\r\nz"}, new String[] {"y"}));
        assertRejected(model(g), "node 're lu' (Relu) reads 'z z', which no node produces and is no graph input"
                + " or initializer");
    }

    @Test
    void graphWithoutOutputs() {
        assertRejected(model(reluGraph().clearOutput()), "graph has no outputs");
    }

    @Test
    void graphInputWithNegativeDim() {
        GraphProto.Builder g = reluGraph().setInput(0, info("x", FLOAT, 1, -3, 4, 4));
        assertRejected(model(g), "graph input 'x' has negative dimension -3");
    }

    @Test
    void graphInputLargerThanTheLimit() {
        GraphProto.Builder g = reluGraph().setInput(0, info("x", FLOAT, 1, 3, 1 << 20, 1 << 20));
        assertRejected(model(g), "graph input 'x' needs 13194139533312 bytes (dims [1, 3, 1048576, 1048576]),"
                + " more than the limit of 2147483647 bytes");
    }

    @Test
    void graphInputThatIsNoTensor() {
        ValueInfoProto seq = ValueInfoProto.newBuilder().setName("x")
                .setType(TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.newBuilder()))
                .build();
        assertRejected(model(reluGraph().setInput(0, seq)), "graph input 'x' is a sequence_type; only tensors are supported");
    }

    @Test
    void nestedGraphAttribute() {
        AttributeProto thenBranch = AttributeProto.newBuilder().setName("then_branch")
                .setType(AttributeProto.AttributeType.GRAPH).setG(reluGraph()).build();
        NodeProto ifNode = NodeProto.newBuilder().setName("if").setOpType("If").addInput("x").addOutput("y")
                .addAttribute(thenBranch).build();
        assertRejected(model(reluGraph().setNode(0, ifNode)),
                "node 'if' (If) attribute 'then_branch' holds a nested graph; If/Loop/Scan bodies are not supported");
    }

    @Test
    void unimportedOperatorDomain() {
        NodeProto custom = node("custom", "Gelu", new String[] {"x"}, new String[] {"y"}).toBuilder()
                .setDomain("com.example").build();
        assertRejected(model(reluGraph().setNode(0, custom)),
                "node 'custom' (Gelu) uses domain 'com.example' that the model does not import");
    }

    @Test
    void sparseInitializer() {
        GraphProto.Builder g = reluGraph();
        g.addSparseInitializerBuilder().setValues(floatTensor("v", new long[] {1}, 1f)).addDims(4);
        assertRejected(model(g), "sparse initializers are not supported");
    }

    // ----- initializers -----

    @Test
    void initializerDefinedTwice() {
        ModelProto.Builder m = reluModel();
        m.getGraphBuilder().addInitializer(floatTensor("w", new long[] {1}, 1f))
                .addInitializer(floatTensor("w", new long[] {1}, 2f));
        assertRejected(model(m.build()), "initializer 'w' is defined twice");
    }

    @Test
    void rawDataSizeMismatch() {
        TensorProto w = rawTensor("w", FLOAT, new long[] {3}, floatBytes(1, 2)).build();
        assertRejected(model(withInitializer(w)), "initializer 'w': raw_data holds 8 bytes but dims [3] of float need 12");
    }

    @Test
    void floatDataStoredInInt64Data() {
        TensorProto w = emptyTensor("w", FLOAT, 2).addInt64Data(1).addInt64Data(2).build();
        assertRejected(model(withInitializer(w)),
                "initializer 'w' of type float stores its data in int64_data instead of float_data");
    }

    @Test
    void typedFloatDataCountMismatch() {
        TensorProto w = emptyTensor("w", FLOAT, 3).addFloatData(1).addFloatData(2).build();
        assertRejected(model(withInitializer(w)), "initializer 'w': float_data holds 2 values but dims [3] need 3");
    }

    @Test
    void dataInTwoFields() {
        TensorProto w = emptyTensor("w", FLOAT, 1).addFloatData(1).setRawData(ByteString.copyFrom(floatBytes(1)))
                .build();
        assertRejected(model(withInitializer(w)), "initializer 'w' stores data in 2 different fields");
    }

    @Test
    void negativeDimInInitializer() {
        TensorProto w = rawTensor("w", FLOAT, new long[] {2, -3}, new byte[0]).build();
        assertRejected(model(withInitializer(w)), "initializer 'w' has negative dimension -3 in [2, -3]");
    }

    @Test
    void dimsWhoseProductOverflows() {
        TensorProto w = rawTensor("w", FLOAT, new long[] {1L << 40, 1L << 40}, floatBytes(1)).build();
        assertRejected(model(withInitializer(w)),
                "initializer 'w' has dimensions [1099511627776, 1099511627776] whose size overflows");
    }

    @Test
    void hugeDimsAgainstTheDefaultLimit() {
        TensorProto w = rawTensor("w", FLOAT, new long[] {1_000_000_000_000L}, floatBytes(1)).build();
        assertRejected(model(withInitializer(w)),
                "initializer 'w' needs 4000000000000 bytes (dims [1000000000000]), more than the limit of 2147483647 bytes");
    }

    @Test
    void maxTensorBytesRefusesANormalInitializer() {
        Path file = model(withInitializer(floatTensor("w", new long[] {3}, 1, 2, 3).build()));
        assertThat(OnnxModel.load(file).graph().initializers()).containsKey("w");
        assertRejected(file, LoadOptions.defaults().withMaxTensorBytes(8),
                "initializer 'w' needs 12 bytes (dims [3]), more than the limit of 8 bytes");
    }

    @Test
    void initializerWithoutData() {
        TensorProto w = emptyTensor("w", FLOAT, 2, 3).build();
        assertRejected(model(withInitializer(w)), "initializer 'w' has no data but dims [2, 3] of float need 24 bytes");
    }

    @Test
    void int8DataInFloatData() {
        TensorProto w = emptyTensor("w", 3, 1).addFloatData(1).build();
        assertRejected(model(withInitializer(w)),
                "initializer 'w' of type int8 stores its data in float_data instead of int32_data");
    }

    @Test
    void uint32DataInInt32Data() {
        TensorProto w = emptyTensor("w", 12, 1).addInt32Data(1).build();
        assertRejected(model(withInitializer(w)),
                "initializer 'w' of type uint32 stores its data in int32_data instead of uint64_data");
    }

    @Test
    void unknownDataType() {
        TensorProto w = rawTensor("w", 99, new long[] {1}, new byte[4]).build();
        assertRejected(model(withInitializer(w)), "initializer 'w' has unknown data type 99");
    }

    @Test
    void stringTensorUnsupported() {
        TensorProto w = emptyTensor("w", 8, 1).addStringData(ByteString.copyFromUtf8("a")).build();
        assertRejected(model(withInitializer(w)), "initializer 'w' has unsupported data type string");
    }

    @Test
    void unnamedInitializer() {
        TensorProto w = floatTensor("", new long[] {1}, 1f).build();
        assertRejected(model(withInitializer(w)), "initializer #0 has no name");
    }

    @Test
    void constantWithBadTensor() {
        NodeProto constant = NodeProto.newBuilder().setName("c").setOpType("Constant").addOutput("k")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(rawTensor("", FLOAT, new long[] {2}, floatBytes(1))))
                .build();
        assertRejected(model(reluGraph().addNode(constant)),
                "node 'c' (Constant) attribute 'value': raw_data holds 4 bytes but dims [2] of float need 8");
    }

    // ----- paths -----

    @Test
    void messageNamesTheFileAsGivenWithDotComponent() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Path file = Path.of(dir.toString(), ".", "sub", "..", "model.onnx");
        write(dir.resolve("model.onnx"), reluModel().setIrVersion(99).build());
        assertThat(file.toString()).contains("/./sub/../");
        assertRejected(file, "unsupported IR version 99 (dnnvis reads IR 3 to 11)");
    }

    @Test
    void relativeModelPath() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Assumptions.assumeTrue(cwd.equals(cwd.toRealPath()) && dir.equals(dir.toRealPath()),
                "working directory or temp folder reached through a symbolic link");
        Path model = dir.resolve("rel").resolve("model.onnx");
        write(model, withInitializer(externalTensor("w", new long[] {3}, "location", "w.bin")));
        Files.write(model.resolveSibling("w.bin"), floatBytes(1, 2, 3));
        Path relative = cwd.relativize(model);
        assertThat(relative.isAbsolute()).isFalse();

        OnnxModel loaded = OnnxModel.load(relative);
        assertThat(loaded.path()).isEqualTo(relative);
        assertThat(loaded.graph().initializers().get("w").toFloatArray()).containsExactly(1f, 2f, 3f);

        write(model, reluModel().setIrVersion(2).build());
        assertRejected(relative, "unsupported IR version 2 (dnnvis reads IR 3 to 11)");
    }

    private static void mkfifo(Path path) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("mkfifo is not available: " + e.getMessage());
            return;
        }
        boolean done = p.waitFor(10, TimeUnit.SECONDS);
        Assumptions.assumeTrue(done && p.exitValue() == 0 && Files.exists(path), "mkfifo failed");
    }

    /** External data: everything that could leave the model's folder or misread the file. */
    @Nested
    class External {

        Path modelDir;
        Path outside;

        @BeforeEach
        void folders() throws IOException {
            modelDir = Files.createDirectories(dir.resolve("model"));
            outside = Files.createDirectories(dir.resolve("outside"));
            Files.write(outside.resolve("secret.bin"), floatBytes(7, 8, 9));
        }

        /** A model whose initializer w[3] float is external with these entries. */
        Path externalModel(String... keyValues) {
            return write(modelDir.resolve("model.onnx"),
                    withInitializer(externalTensor("w", new long[] {3}, keyValues)));
        }

        void assertLocationRejected(String location, String problem) {
            assertRejected(externalModel("location", location),
                    "initializer 'w': external data location '" + location + "' " + problem);
        }

        @Test
        void dotDot() {
            assertLocationRejected("../outside/secret.bin", "contains '..'; it must stay inside the model's folder");
        }

        @Test
        void dotDotAfterSubfolder() {
            assertLocationRejected("sub/../../outside/secret.bin",
                    "contains '..'; it must stay inside the model's folder");
        }

        @Test
        void absolutePath() {
            assertLocationRejected("/etc/passwd", "is absolute; it must be relative to the model's folder");
        }

        @Test
        void windowsDrive() {
            assertLocationRejected("C:\\x", "is absolute; it must be relative to the model's folder");
        }

        @Test
        void fileUrl() {
            assertLocationRejected("file:///etc/passwd", "is absolute; it must be relative to the model's folder");
        }

        @Test
        void ortMemoryMarker() {
            assertLocationRejected("*/_ORT_MEM_ADDR_/*", "uses ONNX Runtime's in-memory marker");
        }

        @Test
        void nulCharacter() {
            assertRejected(externalModel("location", "w.bin\0x"),
                    "initializer 'w': external data location 'w.bin\\u0000x' contains a NUL character");
        }

        @Test
        void missingDataFile() {
            assertRejected(externalModel("location", "nope.bin"),
                    "initializer 'w': external data location 'nope.bin': file not found");
        }

        @Test
        void symlinkToAFileOutside() throws IOException {
            Files.createSymbolicLink(modelDir.resolve("w.bin"), outside.resolve("secret.bin"));
            assertLocationRejected("w.bin", "is a symbolic link");
        }

        @Test
        void parentFolderIsASymlinkToOutside() throws IOException {
            Files.createSymbolicLink(modelDir.resolve("data"), outside);
            assertLocationRejected("data/secret.bin", "leads out of the model's folder through a symbolic link");
        }

        @Test
        void hardLink() throws IOException {
            Files.createLink(modelDir.resolve("w.bin"), outside.resolve("secret.bin"));
            assertLocationRejected("w.bin", "is a hard link (2 names); refused");
        }

        @Test
        void folderAsLocation() throws IOException {
            Files.createDirectories(modelDir.resolve("data"));
            assertLocationRejected("data", "is not a regular file");
        }

        @Test
        void fifoDoesNotHang() throws Exception {
            mkfifo(modelDir.resolve("w.bin"));
            Path file = externalModel("location", "w.bin");
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertRejected(file,
                    "initializer 'w': external data location 'w.bin' is not a regular file"));
        }

        @Test
        void unknownKey() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            assertRejected(externalModel("location", "w.bin", "sha1", "abc"),
                    "initializer 'w': unknown external_data key 'sha1'");
        }

        @Test
        void keyGivenTwice() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            assertRejected(externalModel("location", "w.bin", "location", "w.bin"),
                    "initializer 'w': external_data key 'location' given twice");
        }

        @Test
        void noLocation() {
            assertRejected(externalModel("offset", "0"), "initializer 'w': external data without a location");
        }

        @Test
        void negativeOffset() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            assertRejected(externalModel("location", "w.bin", "offset", "-1"),
                    "initializer 'w': negative external data offset -1");
        }

        @Test
        void nonNumericLength() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            assertRejected(externalModel("location", "w.bin", "length", "twelve"),
                    "initializer 'w': external data length 'twelve' is not a number");
        }

        @Test
        void rangePastTheEnd() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            assertRejected(externalModel("location", "w.bin", "offset", "4", "length", "12"),
                    "initializer 'w': external data [4, 4+12) lies past the end of 'w.bin' (12 bytes)");
        }

        @Test
        void hugeOffset() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            assertRejected(externalModel("location", "w.bin", "offset", String.valueOf(Long.MAX_VALUE)),
                    "initializer 'w': external data [" + Long.MAX_VALUE + ", " + Long.MAX_VALUE
                            + "+12) lies past the end of 'w.bin' (12 bytes)");
        }

        @Test
        void lengthNotMatchingDims() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            assertRejected(externalModel("location", "w.bin", "length", "8"),
                    "initializer 'w': external data length 8 does not match its dims (12 bytes)");
        }

        @Test
        void externalAndRawData() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            TensorProto w = externalTensor("w", new long[] {3}, "location", "w.bin").toBuilder()
                    .setRawData(ByteString.copyFrom(floatBytes(1, 2, 3))).build();
            assertRejected(write(modelDir.resolve("model.onnx"), withInitializer(w)),
                    "initializer 'w' is external but also has raw_data");
        }

        @Test
        void externalDataEntriesWithoutExternalLocation() throws IOException {
            TensorProto w = externalTensor("w", new long[] {3}, "location", "w.bin").toBuilder()
                    .clearDataLocation().build();
            assertRejected(write(modelDir.resolve("model.onnx"), withInitializer(w)),
                    "initializer 'w' has external_data entries but data_location is not EXTERNAL");
        }

        @Test
        void modelFromBytesCannotHaveExternalData() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            byte[] bytes = withInitializer(externalTensor("w", new long[] {3}, "location", "w.bin")).toByteArray();
            Path name = Path.of("in-memory.onnx");
            assertThatThrownBy(() -> OnnxModel.fromBytes(bytes, name, LoadOptions.defaults()))
                    .isInstanceOf(InvalidModelException.class)
                    .hasMessage("in-memory.onnx: initializer 'w' has external data, which a model read from memory cannot have");
        }

        @Test
        void sameFolderLoadsAndIsInlined() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1.5f, -2f, 3.25f));
            OnnxModel model = OnnxModel.load(externalModel("location", "w.bin"));

            assertThat(model.graph().initializers().get("w").toFloatArray()).containsExactly(1.5f, -2f, 3.25f);
            assertInlined(model.runtimeProto().getGraph().getInitializerList().stream()
                    .filter(t -> t.getName().equals("w")).findFirst().orElseThrow(), floatBytes(1.5f, -2f, 3.25f));
        }

        @Test
        void subfolderWithOffsetLoadsAndIsInlined() throws IOException {
            Files.createDirectories(modelDir.resolve("data"));
            byte[] file = new byte[4 + 12 + 4];
            System.arraycopy(floatBytes(4f, 5f, 6f), 0, file, 4, 12);
            Files.write(modelDir.resolve("data/weights.bin"), file);
            OnnxModel model = OnnxModel.load(externalModel("location", "data/weights.bin", "offset", "4",
                    "length", "12"));

            assertThat(model.graph().initializers().get("w").toFloatArray()).containsExactly(4f, 5f, 6f);
            assertInlined(model.runtimeProto().getGraph().getInitializer(0), floatBytes(4f, 5f, 6f));
        }

        @Test
        void modelFolderReachedThroughASymlinkStillLoads() throws IOException {
            Files.write(modelDir.resolve("w.bin"), floatBytes(1, 2, 3));
            Path file = externalModel("location", "w.bin");
            Path link = Files.createSymbolicLink(dir.resolve("link"), modelDir);

            OnnxModel model = OnnxModel.load(link.resolve(file.getFileName()));
            assertThat(model.graph().initializers().get("w").toFloatArray()).containsExactly(1f, 2f, 3f);
        }

        @Test
        void externalConstantAttributeIsInlined() throws IOException {
            Files.write(modelDir.resolve("c.bin"), floatBytes(9f, 8f));
            TensorProto value = externalTensor("", new long[] {2}, "location", "c.bin");
            NodeProto constant = NodeProto.newBuilder().setName("c").setOpType("Constant").addOutput("k")
                    .addAttribute(AttributeProto.newBuilder().setName("value")
                            .setType(AttributeProto.AttributeType.TENSOR).setT(value))
                    .build();
            Path file = write(modelDir.resolve("model.onnx"),
                    reluModel().setGraph(reluGraph().addNode(constant)).build());

            OnnxModel model = OnnxModel.load(file);

            Node node = model.graph().producer("k").orElseThrow();
            assertThat(node.attribute("value").orElseThrow().asTensor().toFloatArray()).containsExactly(9f, 8f);
            assertInlined(model.runtimeProto().getGraph().getNode(1).getAttribute(0).getT(), floatBytes(9f, 8f));
        }

        @Test
        void externalConstantAttributeOutsideIsRefused() {
            TensorProto value = externalTensor("", new long[] {2}, "location", "../outside/secret.bin");
            NodeProto constant = NodeProto.newBuilder().setName("c").setOpType("Constant").addOutput("k")
                    .addAttribute(AttributeProto.newBuilder().setName("value")
                            .setType(AttributeProto.AttributeType.TENSOR).setT(value))
                    .build();
            Path file = write(modelDir.resolve("model.onnx"),
                    reluModel().setGraph(reluGraph().addNode(constant)).build());
            assertRejected(file, "node 'c' (Constant) attribute 'value': external data location"
                    + " '../outside/secret.bin' contains '..'; it must stay inside the model's folder");
        }

        private void assertInlined(TensorProto t, byte[] expected) {
            assertThat(t.hasRawData()).isTrue();
            assertThat(t.getRawData().toByteArray()).isEqualTo(expected);
            assertThat(t.getExternalDataCount()).isZero();
            assertThat(t.getDataLocation()).isEqualTo(TensorProto.DataLocation.DEFAULT);
        }
    }
}
