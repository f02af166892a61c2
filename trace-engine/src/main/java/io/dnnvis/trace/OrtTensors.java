package io.dnnvis.trace;

import io.dnnvis.onnx.DataType;
import io.dnnvis.onnx.Tensor;
import java.nio.ByteOrder;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/** Copies ONNX Runtime tensors out to host {@link TensorValue}s before the native value is closed. */
public final class OrtTensors {

    private OrtTensors() {
    }

    /** The tensor's values as floats (integer and bool tensors converted), with its shape. */
    public static TensorValue copy(String name, OnnxTensor tensor) {
        TensorInfo info = tensor.getInfo();
        long[] shape = info.getShape();
        int n = Math.toIntExact(info.getNumElements());
        OnnxJavaType type = info.type;
        if (type == OnnxJavaType.FLOAT || type == OnnxJavaType.FLOAT16 || type == OnnxJavaType.BFLOAT16) {
            return TensorValue.owning(name, shape, floats(tensor.getFloatBuffer(), n));
        }
        float[] data = new float[n];
        switch (type) {
            case DOUBLE -> {
                DoubleBuffer b = tensor.getDoubleBuffer();
                for (int k = 0; k < n; k++) {
                    data[k] = (float) b.get(k);
                }
            }
            case INT64 -> {
                LongBuffer b = tensor.getLongBuffer();
                for (int k = 0; k < n; k++) {
                    data[k] = b.get(k);
                }
            }
            case INT32 -> {
                IntBuffer b = tensor.getIntBuffer();
                for (int k = 0; k < n; k++) {
                    data[k] = b.get(k);
                }
            }
            case INT8, UINT8, BOOL -> {
                ByteBuffer b = tensor.getByteBuffer();
                for (int k = 0; k < n; k++) {
                    data[k] = type == OnnxJavaType.INT8 ? b.get(k) : b.get(k) & 0xff;
                }
            }
            default -> throw new EngineException("tensor '" + name + "' has type " + type
                    + ", which dnnvis cannot read");
        }
        return TensorValue.owning(name, shape, data);
    }

    /**
     * The tensor as an ONNX tensor of its own element type (an int64 shape stays int64, a float
     * with integral values stays float), for values the compiler folds into constants.
     */
    public static Tensor toTensor(String name, OnnxTensor tensor) {
        DataType type = switch (tensor.getInfo().onnxType) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FLOAT;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.DOUBLE;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FLOAT16;
            default -> throw new EngineException("tensor '" + name + "' has type " + tensor.getInfo().onnxType
                    + ", which dnnvis cannot read");
        };
        ByteBuffer bytes = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer little = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            little.put(bytes);
        } else {
            for (int k = 0; k < bytes.remaining(); k += type.byteSize()) {
                for (int b = type.byteSize() - 1; b >= 0; b--) {
                    little.put(bytes.get(bytes.position() + k + b));
                }
            }
        }
        little.flip();
        return new Tensor(name, type, tensor.getInfo().getShape(), little);
    }

    /**
     * The values of a buffer ONNX Runtime filled: its heap array when it is exactly that (as
     * {@code getFloatBuffer} returns), else a copy.
     */
    private static float[] floats(FloatBuffer b, int n) {
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.array().length == n) {
            return b.array();
        }
        float[] data = new float[n];
        b.get(data);
        return data;
    }
}
