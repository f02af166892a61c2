package io.dnnvis.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Initializers listed as graph inputs too (IR 3 asked for it; old exporters, and PyTorch's
 * keep_initializers_as_inputs, still write it) are constants to ONNX Runtime only when they are not
 * inputs: the model it runs lists the image alone.
 */
class InitializerInputsTest {

    @Test
    void theRuntimeModelListsOnlyTheInputsThatAreNotInitializers() {
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInput(OnnxProtos.tensorInfo("x", DataType.FLOAT, 1, 2))
                .addInput(OnnxProtos.tensorInfo("w", DataType.FLOAT, 2))
                .addInitializer(OnnxProtos.floatTensor("w", new long[] {2}, new float[] {1, 2}))
                .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("x").addInput("w").addOutput("y"))
                .addOutput(OnnxProtos.tensorInfoUnknownShape("y", DataType.FLOAT))
                .build();
        ModelProto proto = ModelProto.newBuilder().setIrVersion(7).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
        OnnxModel m = OnnxModel.fromBytes(proto.toByteArray(), Path.of("inputs.onnx"), LoadOptions.defaults());
        assertThat(m.runtimeProto().getGraph().getInputList()).extracting(ValueInfoProto::getName).containsExactly("x");
        assertThat(m.graph().inputs()).extracting(ValueInfo::name).containsExactly("x");
        assertThat(m.runtimeProto().getGraph().getInitializerList()).hasSize(1);
    }
}
