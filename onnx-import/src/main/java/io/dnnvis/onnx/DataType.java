package io.dnnvis.onnx;

import java.util.Optional;

/** ONNX tensor element types ({@code TensorProto.DataType}) with their size in bytes. */
public enum DataType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    UINT16(4, 2),
    INT16(5, 2),
    INT32(6, 4),
    INT64(7, 8),
    STRING(8, 0),
    BOOL(9, 1),
    FLOAT16(10, 2),
    DOUBLE(11, 8),
    UINT32(12, 4),
    UINT64(13, 8),
    COMPLEX64(14, 8),
    COMPLEX128(15, 16),
    BFLOAT16(16, 2),
    FLOAT8E4M3FN(17, 1),
    FLOAT8E4M3FNUZ(18, 1),
    FLOAT8E5M2(19, 1),
    FLOAT8E5M2FNUZ(20, 1),
    UINT4(21, 0),
    INT4(22, 0),
    FLOAT4E2M1(23, 0);

    private final int code;
    private final int byteSize;

    DataType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** The value of {@code TensorProto.DataType}. */
    public int code() {
        return code;
    }

    /** Bytes per element in {@code raw_data}; 0 for types without a fixed byte size. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether dnnvis can hold tensors of this type (numbers with a fixed byte size). */
    public boolean isSupportedNumeric() {
        return switch (this) {
            case FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64, BOOL -> true;
            default -> false;
        };
    }

    public boolean isFloatingPoint() {
        return this == FLOAT || this == FLOAT16 || this == BFLOAT16 || this == DOUBLE;
    }

    public static Optional<DataType> fromCode(int code) {
        for (DataType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Lower-case ONNX spelling, e.g. {@code float16}. */
    public String onnxName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
