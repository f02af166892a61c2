package io.dnnvis.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.InvalidModelException;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.StringStringEntryProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.BadInputException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver's check before any Spark job: the executors get the .onnx file's bytes alone, so a
 * model whose weights lie in an external file is refused (it loads from its folder, not from its
 * bytes), a damaged one with its own error, and a good one gives the bytes it read.
 */
class SparkModelCheckTest {

    @Test
    void aGoodModelGivesItsBytes() throws Exception {
        assertThat(SparkAudit.checkModel(TestData.glyphNet())).isEqualTo(Files.readAllBytes(TestData.glyphNet()));
    }

    @Test
    void aModelWithExternalDataIsRefused(@TempDir Path dir) throws Exception {
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(TestData.glyphNet()));
        TensorProto first = proto.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE).findFirst().orElseThrow();
        ByteBuffer data = OnnxModel.load(TestData.glyphNet()).graph().initializers().get(first.getName()).data();
        byte[] raw = new byte[data.remaining()];
        data.get(raw);
        Files.write(dir.resolve("weights.bin"), raw);
        TensorProto external = first.toBuilder().clearRawData().clearFloatData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("" + raw.length))
                .build();
        ModelProto.Builder b = proto.toBuilder();
        int index = proto.getGraph().getInitializerList().indexOf(first);
        b.getGraphBuilder().setInitializer(index, external);
        Path model = Files.write(dir.resolve("external.onnx"), b.build().toByteArray());
        OnnxModel.load(model); // it loads from its folder
        assertThatThrownBy(() -> SparkAudit.checkModel(model)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(model + ": has external data, and the Spark audit sends the executors the "
                        + ".onnx file alone; run it with --engine local");
    }

    @Test
    void aMissingFileOrAFolderIsRefusedAsTheLocalAuditRefusesIt(@TempDir Path dir) {
        for (Path model : new Path[] {dir.resolve("nope.onnx"), dir}) {
            assertThatThrownBy(() -> SparkAudit.checkModel(model)).isInstanceOf(InvalidModelException.class)
                    .hasMessageStartingWith(model + ": ");
        }
    }

    @Test
    void aDamagedModelFailsWithItsOwnError(@TempDir Path dir) throws Exception {
        Path model = Files.writeString(dir.resolve("text.onnx"), "not a model");
        assertThatThrownBy(() -> SparkAudit.checkModel(model)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("not an ONNX model");
    }
}
