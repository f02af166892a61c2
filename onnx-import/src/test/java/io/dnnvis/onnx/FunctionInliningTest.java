package io.dnnvis.onnx;

import static io.dnnvis.onnx.TinyModels.node;
import static io.dnnvis.onnx.TinyModels.reluGraph;
import static io.dnnvis.onnx.TinyModels.reluModel;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.FunctionProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Model-local functions, as PyTorch's dynamo exporter writes them, are inlined on loading: each call
 * becomes the function's nodes with the call's tensors at its inputs and outputs, fresh names inside,
 * attribute references resolved (the call's value, else the function's default), nested calls
 * expanded; unused functions and the domains only they used are gone.
 */
class FunctionInliningTest {

    private static final OperatorSetIdProto LOCAL = OperatorSetIdProto.newBuilder().setDomain("pkg.local")
            .setVersion(1).build();

    /** {@code Act(a) = LeakyRelu(a, alpha=@slope, default 0.5)}. */
    private static FunctionProto act() {
        return FunctionProto.newBuilder().setName("Act").setDomain("pkg.local").addInput("a").addOutput("b")
                .addAttributeProto(AttributeProto.newBuilder().setName("slope").setType(AttributeProto.AttributeType.FLOAT)
                        .setF(0.5f))
                .addNode(node("leaky", "LeakyRelu", new String[] {"a"}, new String[] {"b"}).toBuilder()
                        .addAttribute(AttributeProto.newBuilder().setName("alpha").setRefAttrName("slope")
                                .setType(AttributeProto.AttributeType.FLOAT)))
                .build();
    }

    /** {@code Block(a) = Act(Neg(a))}: a function calling a function, with an inner tensor named like the model's. */
    private static FunctionProto block() {
        return FunctionProto.newBuilder().setName("Block").setDomain("pkg.local").addInput("a").addOutput("y")
                .addAttribute("slope")
                .addNode(node("", "Neg", new String[] {"a"}, new String[] {"x"}))
                .addNode(NodeProto.newBuilder().setName("act").setOpType("Act").setDomain("pkg.local").addInput("x")
                        .addOutput("y").addAttribute(AttributeProto.newBuilder().setName("slope")
                                .setRefAttrName("slope").setType(AttributeProto.AttributeType.FLOAT)))
                .build();
    }

    private static OnnxModel load(ModelProto m) {
        return OnnxModel.fromBytes(m.toByteArray(), Path.of("functions.onnx"), LoadOptions.defaults());
    }

    @Test
    void callsBecomeTheirBodiesWithTheCallsTensorsAndAttributes() {
        NodeProto first = NodeProto.newBuilder().setName("block1").setOpType("Block").setDomain("pkg.local")
                .addInput("x").addOutput("h")
                .addAttribute(AttributeProto.newBuilder().setName("slope").setType(AttributeProto.AttributeType.FLOAT)
                        .setF(0.1f)).build();
        NodeProto second = NodeProto.newBuilder().setName("block2").setOpType("Block").setDomain("pkg.local")
                .addInput("h").addOutput("y").build();
        ModelProto m = reluModel().setGraph(reluGraph().clearNode().addNode(first).addNode(second))
                .addOpsetImport(LOCAL).addFunctions(block()).addFunctions(act())
                .addFunctions(FunctionProto.newBuilder().setName("Unused").setDomain("pkg.other").addInput("a")
                        .addOutput("b").addNode(node("n", "Relu", new String[] {"a"}, new String[] {"b"})))
                .build();
        OnnxModel model = load(m);

        List<Node> nodes = model.graph().nodes();
        assertThat(nodes).extracting(Node::opType).containsExactly("Neg", "LeakyRelu", "Neg", "LeakyRelu");
        assertThat(nodes.get(0).inputs()).containsExactly("x");
        assertThat(nodes.get(1).output()).isEqualTo("h");
        assertThat(nodes.get(2).inputs()).containsExactly("h");
        assertThat(nodes.get(3).output()).isEqualTo("y");
        assertThat(nodes.get(0).output()).as("the body's 'x' is not the model's").isNotEqualTo("x")
                .isEqualTo(nodes.get(1).inputs().get(0));
        assertThat(nodes.get(1).attribute("alpha").orElseThrow().asFloat()).as("the call's slope").isEqualTo(0.1f);
        assertThat(nodes.get(3).attribute("alpha").orElseThrow().asFloat()).as("the function's default").isEqualTo(0.5f);
        Set<String> names = nodes.stream().map(Node::name).collect(Collectors.toSet());
        assertThat(names).hasSize(4).contains("block1/act/leaky", "block2/act/leaky");
        assertThat(model.runtimeProto().getFunctionsCount()).isZero();
        assertThat(model.opsetImports()).containsOnlyKeys("");
    }

    @Test
    void aModelWithoutCallsIsLeftAsItIs() {
        ModelProto m = reluModel().addFunctions(act()).build();
        OnnxModel model = load(m);
        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Relu");
        assertThat(model.runtimeProto().getGraph()).isEqualTo(m.getGraph());
    }

    /** {@code F(a) -> (b, c)}: {@code c = Relu(a)}, {@code b = Neg(c)}; the calls ask for b only. */
    @Test
    void anOutputTheCallLeavesOutStillFeedsTheBody() {
        FunctionProto f = FunctionProto.newBuilder().setName("F").setDomain("pkg.local").addInput("a").addOutput("b")
                .addOutput("c")
                .addNode(node("r", "Relu", new String[] {"a"}, new String[] {"c"}))
                .addNode(node("n", "Neg", new String[] {"c"}, new String[] {"b"}))
                .build();
        for (String[] outputs : new String[][] {{"y"}, {"y", ""}}) {
            NodeProto.Builder call = NodeProto.newBuilder().setName("call").setOpType("F").setDomain("pkg.local")
                    .addInput("x");
            for (String o : outputs) {
                call.addOutput(o);
            }
            OnnxModel model = load(reluModel().setGraph(reluGraph().setNode(0, call)).addOpsetImport(LOCAL)
                    .addFunctions(f).build());
            List<Node> nodes = model.graph().nodes();
            assertThat(nodes).extracting(Node::opType).containsExactly("Relu", "Neg");
            assertThat(nodes.get(0).output()).isNotEmpty().isNotEqualTo("y").isEqualTo(nodes.get(1).inputs().get(0));
            assertThat(nodes.get(1).output()).isEqualTo("y");
        }
    }

    /** {@code Id(a) -> a}, a body without nodes: the call becomes an Identity, as ONNX's inliner writes it. */
    @Test
    void aFunctionHandingOnItsInputBecomesAnIdentity() {
        FunctionProto id = FunctionProto.newBuilder().setName("Id").setDomain("pkg.local").addInput("a").addOutput("a")
                .build();
        NodeProto call = NodeProto.newBuilder().setName("call").setOpType("Id").setDomain("pkg.local").addInput("x")
                .addOutput("y").build();
        OnnxModel model = load(reluModel().setGraph(reluGraph().setNode(0, call)).addOpsetImport(LOCAL)
                .addFunctions(id).build());
        assertThat(model.graph().nodes()).singleElement().satisfies(n -> {
            assertThat(n.opType()).isEqualTo("Identity");
            assertThat(n.inputs()).containsExactly("x");
            assertThat(n.output()).isEqualTo("y");
        });
    }

    /** A model that imports the ONNX domain only through its functions takes their opset. */
    @Test
    void theOnnxDomainMayComeFromTheFunctionsAlone() {
        FunctionProto f = FunctionProto.newBuilder().setName("F").setDomain("pkg.local").addInput("a").addOutput("b")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .addNode(node("r", "Relu", new String[] {"a"}, new String[] {"b"})).build();
        NodeProto call = NodeProto.newBuilder().setName("call").setOpType("F").setDomain("pkg.local").addInput("x")
                .addOutput("y").build();
        ModelProto m = reluModel().clearOpsetImport().addOpsetImport(LOCAL).setGraph(reluGraph().setNode(0, call))
                .addFunctions(f).build();
        OnnxModel model = load(m);
        assertThat(model.opset()).isEqualTo(13);
        assertThat(model.graph().nodes()).extracting(Node::opType).containsExactly("Relu");
    }

    /**
     * A function holding a constant (an attention mask folded into each block, as PyTorch exports
     * modules as functions) called many times: 40 copies of 2 MiB, 80 MiB inlined from a 2 MiB file,
     * load.
     */
    @Test
    void aFunctionsConstantMayBeCopiedByEveryCall() {
        float[] mask = new float[1 << 19];
        FunctionProto block = FunctionProto.newBuilder().setName("Block").setDomain("pkg.local").addInput("a")
                .addOutput("b")
                .addNode(NodeProto.newBuilder().setOpType("Constant").setName("mask").addOutput("m")
                        .addAttribute(AttributeProto.newBuilder().setName("value")
                                .setType(AttributeProto.AttributeType.TENSOR)
                                .setT(TinyModels.floatTensor("m", new long[] {1}, 0f).clearFloatData()
                                        .clearDims().addDims(mask.length).setRawData(com.google.protobuf.ByteString
                                                .copyFrom(new byte[4 * mask.length])))))
                .addNode(node("add", "Add", new String[] {"a", "m"}, new String[] {"b"}))
                .build();
        io.dnnvis.onnx.proto.OnnxProto.GraphProto.Builder g = reluGraph().clearNode().clearInput().clearOutput()
                .addInput(TinyModels.info("x", TinyModels.FLOAT, mask.length))
                .addOutput(TinyModels.info("y", TinyModels.FLOAT, mask.length));
        String previous = "x";
        for (int k = 0; k < 40; k++) {
            String out = k == 39 ? "y" : "h" + k;
            g.addNode(NodeProto.newBuilder().setName("block" + k).setOpType("Block").setDomain("pkg.local")
                    .addInput(previous).addOutput(out));
            previous = out;
        }
        OnnxModel model = load(reluModel().setGraph(g).addOpsetImport(LOCAL).addFunctions(block).build());
        assertThat(model.graph().nodes()).hasSize(80);
    }
}
