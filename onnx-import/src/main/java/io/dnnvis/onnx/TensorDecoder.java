package io.dnnvis.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Turns a {@code TensorProto} into a {@link Tensor} after checking that its type is supported,
 * its dims are sane and within the limit, and its data (typed field, raw_data or external file)
 * holds exactly what the dims need. No buffer larger than the limit is ever allocated.
 */
final class TensorDecoder {

    /** A decoded tensor and the proto to hand to ONNX Runtime (external data inlined). */
    record Decoded(Tensor tensor, TensorProto runtimeProto) {
    }

    private final Path modelFile;
    private final ExternalData externalData;
    private final long maxTensorBytes;

    TensorDecoder(Path modelFile, ExternalData externalData, long maxTensorBytes) {
        this.modelFile = modelFile;
        this.externalData = externalData;
        this.maxTensorBytes = maxTensorBytes;
    }

    Decoded decode(TensorProto t, String what) {
        DataType type = DataType.fromCode(t.getDataType())
                .orElseThrow(() -> fail(what + " has unknown data type " + t.getDataType()));
        if (!type.isSupportedNumeric()) {
            throw fail(what + " has unsupported data type " + type.onnxName());
        }
        if (t.hasSegment()) {
            throw fail(what + " is segmented; segmented tensors are not supported");
        }
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = checkedCount(dims, type, what);
        long bytes = count * type.byteSize();

        boolean external = t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
        if (!external && t.getExternalDataCount() > 0) {
            throw fail(what + " has external_data entries but data_location is not EXTERNAL");
        }
        String field = populatedField(t, what);
        if (external) {
            if (field != null) {
                throw fail(what + " is external but also has " + field);
            }
            byte[] data = externalData.read(t, bytes, what);
            ByteString raw = UnsafeByteOperations.unsafeWrap(data);
            TensorProto inlined = t.toBuilder()
                    .clearExternalData()
                    .clearDataLocation()
                    .setRawData(raw)
                    .build();
            return new Decoded(new Tensor(t.getName(), type, dims, raw.asReadOnlyByteBuffer()), inlined);
        }
        if (field == null && bytes > 0) {
            throw fail(what + " has no data but dims " + Shapes.format(dims) + " of " + type.onnxName() + " need "
                    + bytes + " bytes");
        }
        if (field == null || field.equals("raw_data")) {
            ByteString raw = t.getRawData();
            if (raw.size() != bytes) {
                throw fail(what + ": raw_data holds " + raw.size() + " bytes but dims " + Shapes.format(dims)
                        + " of " + type.onnxName() + " need " + bytes);
            }
            return new Decoded(new Tensor(t.getName(), type, dims, raw.asReadOnlyByteBuffer()), t);
        }
        String expectedField = typedFieldOf(type);
        if (!field.equals(expectedField)) {
            throw fail(what + " of type " + type.onnxName() + " stores its data in " + field + " instead of "
                    + expectedField);
        }
        int stored = typedCount(t, field);
        if (stored != count) {
            throw fail(what + ": " + field + " holds " + stored + " values but dims " + Shapes.format(dims)
                    + " need " + count);
        }
        return new Decoded(new Tensor(t.getName(), type, dims, typedToRaw(t, type, (int) count)), t);
    }

    private long checkedCount(long[] dims, DataType type, String what) {
        for (long d : dims) {
            if (d < 0) {
                throw fail(what + " has negative dimension " + d + " in " + Shapes.format(dims));
            }
        }
        long count;
        long bytes;
        try {
            count = Shapes.elementCount(dims);
            bytes = Shapes.byteCount(dims, type.byteSize());
        } catch (IllegalArgumentException e) {
            throw fail(what + " has dimensions " + Shapes.format(dims) + " whose size overflows");
        }
        if (bytes > maxTensorBytes) {
            throw fail(what + " needs " + bytes + " bytes (dims " + Shapes.format(dims) + "), more than the limit of "
                    + maxTensorBytes + " bytes");
        }
        return count;
    }

    private String populatedField(TensorProto t, String what) {
        String found = null;
        int populated = 0;
        if (t.hasRawData()) {
            found = "raw_data";
            populated++;
        }
        if (t.getFloatDataCount() > 0) {
            found = "float_data";
            populated++;
        }
        if (t.getInt32DataCount() > 0) {
            found = "int32_data";
            populated++;
        }
        if (t.getInt64DataCount() > 0) {
            found = "int64_data";
            populated++;
        }
        if (t.getDoubleDataCount() > 0) {
            found = "double_data";
            populated++;
        }
        if (t.getUint64DataCount() > 0) {
            found = "uint64_data";
            populated++;
        }
        if (t.getStringDataCount() > 0) {
            found = "string_data";
            populated++;
        }
        if (populated > 1) {
            throw fail(what + " stores data in " + populated + " different fields");
        }
        return found;
    }

    private static String typedFieldOf(DataType type) {
        return switch (type) {
            case FLOAT -> "float_data";
            case DOUBLE -> "double_data";
            case INT64 -> "int64_data";
            case UINT32, UINT64 -> "uint64_data";
            default -> "int32_data";
        };
    }

    private static int typedCount(TensorProto t, String field) {
        return switch (field) {
            case "float_data" -> t.getFloatDataCount();
            case "double_data" -> t.getDoubleDataCount();
            case "int64_data" -> t.getInt64DataCount();
            case "uint64_data" -> t.getUint64DataCount();
            default -> t.getInt32DataCount();
        };
    }

    private static ByteBuffer typedToRaw(TensorProto t, DataType type, int count) {
        ByteBuffer b = ByteBuffer.allocate(count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < count; k++) {
            switch (type) {
                case FLOAT -> b.putFloat(t.getFloatData(k));
                case DOUBLE -> b.putDouble(t.getDoubleData(k));
                case INT64 -> b.putLong(t.getInt64Data(k));
                case UINT64 -> b.putLong(t.getUint64Data(k));
                case UINT32 -> b.putInt((int) t.getUint64Data(k));
                case INT32 -> b.putInt(t.getInt32Data(k));
                case INT16, UINT16, FLOAT16, BFLOAT16 -> b.putShort((short) t.getInt32Data(k));
                case INT8, UINT8, BOOL -> b.put((byte) t.getInt32Data(k));
                default -> throw new IllegalStateException("unreachable: " + type);
            }
        }
        b.flip();
        return b;
    }

    private InvalidModelException fail(String problem) {
        return new InvalidModelException(modelFile, problem);
    }
}
