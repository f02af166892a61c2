package io.dnnvis.onnx;

import static io.dnnvis.onnx.TinyModels.floatTensor;
import static io.dnnvis.onnx.TinyModels.reluGraph;
import static io.dnnvis.onnx.TinyModels.reluModel;
import static io.dnnvis.onnx.TinyModels.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Initializers and Constant nodes together are limited ({@link LoadOptions#maxConstants()}): ONNX
 * Runtime's session building costs the square of their count, so a file of 300,000 tiny unused
 * initializers stalled every command for over 5 minutes. The limit refuses it at load, in one line.
 */
class ConstantLimitTest {

    @TempDir
    Path dir;

    /** The Relu model with {@code initializers} unused one-float initializers and {@code constants} unused Constant nodes. */
    private Path model(int initializers, int constants) {
        GraphProto.Builder g = reluGraph();
        for (int k = 0; k < initializers; k++) {
            g.addInitializer(floatTensor("w" + k, new long[] {1}, k));
        }
        for (int k = 0; k < constants; k++) {
            g.addNode(NodeProto.newBuilder().setName("c" + k).setOpType("Constant").addOutput("k" + k)
                    .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                            .setT(floatTensor("", new long[] {1}, k))));
        }
        return write(dir.resolve("m" + initializers + "_" + constants + ".onnx"), reluModel().setGraph(g).build());
    }

    @Test
    void initializersAndConstantNodesCountTogether() {
        LoadOptions three = LoadOptions.defaults().withMaxConstants(3);
        assertThat(OnnxModel.load(model(2, 1), three).graph().nodes()).isNotEmpty();
        Path four = model(2, 2);
        assertThatThrownBy(() -> OnnxModel.load(four, three)).isInstanceOf(InvalidModelException.class)
                .hasMessage(four + ": graph has 4 initializers and Constant nodes, more than the limit of 3"
                        + " (ONNX Runtime's cost grows with the square of their count)");
        assertThat(OnnxModel.load(four, LoadOptions.defaults()).graph().nodes()).isNotEmpty();
    }

    @Test
    void theDefaultLimitRefusesAHostileCountQuickly() {
        int over = LoadOptions.DEFAULT_MAX_CONSTANTS + 1;
        Path hostile = model(over, 0);
        long start = System.nanoTime();
        assertThatThrownBy(() -> OnnxModel.load(hostile)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("graph has " + over + " initializers and Constant nodes, more than the limit of "
                        + LoadOptions.DEFAULT_MAX_CONSTANTS);
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
        assertThat(LoadOptions.defaults().maxConstants()).isEqualTo(50_000);
        assertThat(new LoadOptions(1, 1).maxConstants()).isEqualTo(LoadOptions.DEFAULT_MAX_CONSTANTS);
    }
}
