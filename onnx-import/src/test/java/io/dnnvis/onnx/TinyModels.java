package io.dnnvis.onnx;

import com.google.protobuf.ByteString;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.onnx.proto.OnnxProto.StringStringEntryProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorShapeProto;
import io.dnnvis.onnx.proto.OnnxProto.TypeProto;
import io.dnnvis.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds tiny, valid ONNX models (x[1,3,4,4] float -> Relu -> y) for tests to break one thing at a time. */
final class TinyModels {

    static final int FLOAT = 1;

    private TinyModels() {
    }

    /** A valid model: IR 8, opset 13, x[1,3,4,4] float -> Relu 'relu' -> y. */
    static ModelProto.Builder reluModel() {
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setProducerName("dnnvis-test")
                .setGraph(reluGraph());
    }

    static GraphProto.Builder reluGraph() {
        return GraphProto.newBuilder()
                .setName("tiny")
                .addInput(info("x", FLOAT, 1, 3, 4, 4))
                .addOutput(info("y", FLOAT, 1, 3, 4, 4))
                .addNode(node("relu", "Relu", new String[] {"x"}, new String[] {"y"}));
    }

    static NodeProto node(String name, String op, String[] inputs, String[] outputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setName(name).setOpType(op);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (String out : outputs) {
            n.addOutput(out);
        }
        return n.build();
    }

    /** A tensor value info with fixed dims, written as given (negative values included). */
    static ValueInfoProto info(String name, int elemType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
                .build();
    }

    static byte[] floatBytes(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    /** A tensor with raw_data. */
    static TensorProto.Builder rawTensor(String name, int dataType, long[] dims, byte[] raw) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType)
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    static TensorProto.Builder floatTensor(String name, long[] dims, float... values) {
        return rawTensor(name, FLOAT, dims, floatBytes(values));
    }

    /** A tensor with dims and type but no data yet. */
    static TensorProto.Builder emptyTensor(String name, int dataType, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType);
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    /** An external float tensor with the given external_data entries (key, value, key, value, ...). */
    static TensorProto externalTensor(String name, long[] dims, String... keyValues) {
        TensorProto.Builder t = emptyTensor(name, FLOAT, dims).setDataLocation(TensorProto.DataLocation.EXTERNAL);
        for (int k = 0; k < keyValues.length; k += 2) {
            t.addExternalData(StringStringEntryProto.newBuilder().setKey(keyValues[k]).setValue(keyValues[k + 1]));
        }
        return t.build();
    }

    /** The relu model with one extra initializer (not read by any node). */
    static ModelProto withInitializer(TensorProto initializer) {
        ModelProto.Builder m = reluModel();
        m.getGraphBuilder().addInitializer(initializer);
        return m.build();
    }

    static Path write(Path file, ModelProto model) {
        return write(file, model.toByteArray());
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
