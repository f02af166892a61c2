package io.dnnvis.trace.backward;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.LoadOptions;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.FunctionProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.Tracer;
import io.dnnvis.trace.backward.rules.RuleSet;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A model written with local functions (each block a function, as PyTorch's dynamo exporter writes a
 * module) gives the forward values and the gradients of its flat twin, bit for bit: the functions
 * are inlined on loading and nothing after it sees them.
 */
class FunctionModelTest {

    private static final long[] INPUT = {1, 3, 8, 8};

    @Test
    void aModelOfFunctionCallsComputesWhatItsFlatTwinComputes() {
        ModelBuilder flat = ModelBuilder.create(18);
        String x = flat.input("x", INPUT);
        Random rnd = new Random(5);
        String w1 = flat.randomInitializer("w1", rnd, 0.5, 4, 3, 3, 3);
        String w2 = flat.randomInitializer("w2", rnd, 0.5, 4, 4, 3, 3);
        String h = block(flat, x, w1, 0.1f);
        String y = flat.output(block(flat, h, w2, 0.3f));
        ModelProto twin = flat.build();

        ModelProto.Builder withFunctions = twin.toBuilder();
        GraphProto.Builder g = withFunctions.getGraphBuilder().clearNode();
        g.addNode(call("block1", x, w1, h, 0.1f)).addNode(call("block2", h, w2, y, 0.3f));
        withFunctions.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("pkg.blocks").setVersion(1))
                .addFunctions(blockFunction());
        OnnxModel functions = OnnxModel.fromBytes(withFunctions.build().toByteArray(), Path.of("functions.onnx"),
                LoadOptions.defaults());
        OnnxModel plain = OnnxModel.fromBytes(twin.toByteArray(), Path.of("flat.onnx"), LoadOptions.defaults());

        float[] v = new float[3 * 8 * 8];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        TensorValue input = new TensorValue("x", INPUT, v);
        float[][] outputs = new float[2][];
        float[][] gradients = new float[2][];
        List<OnnxModel> models = List.of(plain, functions);
        for (int m = 0; m < 2; m++) {
            try (Tracer tracer = Tracer.open(models.get(m));
                    BackwardEngine engine = BackwardEngine.open(models.get(m), EngineOptions.defaults())) {
                outputs[m] = tracer.run(input).get(y).data();
                float[] ones = new float[outputs[m].length];
                Arrays.fill(ones, 1f);
                gradients[m] = engine.run(new BackwardSpec(y, RuleSet.exact(), StartSignal.ONES, false), input,
                        List.of(ones)).reconstruction().data();
            }
        }
        assertThat(gradients[0]).isNotEqualTo(new float[gradients[0].length]);
        assertThat(outputs[1]).containsExactly(outputs[0]);
        assertThat(gradients[1]).containsExactly(gradients[0]);
    }

    /** Conv 3x3 pad 1, then LeakyRelu. */
    private static String block(ModelBuilder b, String x, String w, float slope) {
        String c = b.node("Conv", List.of(x, w), OnnxProtos.intsAttr("kernel_shape", 3, 3),
                OnnxProtos.intsAttr("pads", 1, 1, 1, 1));
        return b.node("LeakyRelu", List.of(c), OnnxProtos.floatAttr("alpha", slope));
    }

    /** {@code Block(a, w) = LeakyRelu(Conv(a, w, pads=@pads), alpha=@slope)}. */
    private static FunctionProto blockFunction() {
        return FunctionProto.newBuilder().setName("Block").setDomain("pkg.blocks").addInput("a").addInput("w")
                .addOutput("b").addAttribute("slope").addAttribute("pads")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(18))
                .addNode(NodeProto.newBuilder().setOpType("Conv").setName("conv").addInput("a").addInput("w")
                        .addOutput("c").addAttribute(OnnxProtos.intsAttr("kernel_shape", 3, 3))
                        .addAttribute(AttributeProto.newBuilder().setName("pads").setRefAttrName("pads")
                                .setType(AttributeProto.AttributeType.INTS)))
                .addNode(NodeProto.newBuilder().setOpType("LeakyRelu").setName("act").addInput("c").addOutput("b")
                        .addAttribute(AttributeProto.newBuilder().setName("alpha").setRefAttrName("slope")
                                .setType(AttributeProto.AttributeType.FLOAT)))
                .build();
    }

    private static NodeProto call(String name, String in, String w, String out, float slope) {
        return NodeProto.newBuilder().setName(name).setOpType("Block").setDomain("pkg.blocks").addInput(in).addInput(w)
                .addOutput(out).addAttribute(OnnxProtos.floatAttr("slope", slope))
                .addAttribute(OnnxProtos.intsAttr("pads", 1, 1, 1, 1)).build();
    }
}
