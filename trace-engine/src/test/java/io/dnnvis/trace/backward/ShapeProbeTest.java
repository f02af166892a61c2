package io.dnnvis.trace.backward;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.modelbuild.ModelBuilder;
import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.trace.EngineOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The probe keeps the element types of the small values it records: a float computed from a shape
 * stays float although its values are integral, and the shape stays int64.
 */
class ShapeProbeTest {

    @Test
    void smallValuesKeepTheirElementTypes() {
        ModelBuilder b = ModelBuilder.create(13);
        String x = b.input("x", 1, 1, 4, 4);
        String shape = b.node("Shape", List.of(x));
        String asFloat = b.node("Cast", List.of(shape), OnnxProtos.intAttr("to", DataType.FLOAT.code()));
        String largest = b.node("ReduceMax", List.of(asFloat));
        String y = b.output(b.node("Mul", List.of(x, largest)));
        OnnxModel model = b.load();

        ShapeProbe probe = ShapeProbe.run(model, y, x, new long[] {1, 1, 4, 4}, EngineOptions.defaults());

        Tensor dims = probe.smallValues().get(shape);
        assertThat(dims.type()).isEqualTo(DataType.INT64);
        assertThat(dims.toLongArray()).containsExactly(1, 1, 4, 4);
        Tensor floats = probe.smallValues().get(asFloat);
        assertThat(floats.type()).as("integral values, float type").isEqualTo(DataType.FLOAT);
        assertThat(floats.toFloatArray()).containsExactly(1f, 1f, 4f, 4f);
        assertThat(probe.smallValues().get(largest).toFloatArray()).containsExactly(4f);
        assertThat(probe.shapes().get(y)).containsExactly(1, 1, 4, 4);
    }
}
