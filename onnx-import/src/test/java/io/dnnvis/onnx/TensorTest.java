package io.dnnvis.onnx;

import static io.dnnvis.onnx.TinyModels.emptyTensor;
import static io.dnnvis.onnx.TinyModels.rawTensor;
import static io.dnnvis.onnx.TinyModels.withInitializer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Decoding of tensor data: float16 / bfloat16, integer types, raw_data and the typed fields. */
class TensorTest {

    /** Loads the tiny model with {@code t} as an initializer, from memory, and returns the decoded tensor. */
    private static Tensor decode(TensorProto t) {
        byte[] bytes = withInitializer(t).toByteArray();
        Tensor tensor = OnnxModel.fromBytes(bytes, Path.of("tensor-test.onnx"), LoadOptions.defaults())
                .graph().initializers().get(t.getName());
        assertThat(tensor).isNotNull();
        return tensor;
    }

    private static TensorProto raw(int dataType, long[] dims, ByteBuffer data) {
        return rawTensor("w", dataType, dims, data.array()).build();
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static short bits(int value) {
        return (short) value;
    }

    // ----- float16 -----

    @ParameterizedTest(name = "0x{0} -> {1}")
    @CsvSource({
        "3C00, 1.0",
        "C000, -2.0",
        "7BFF, 65504.0",
        "3555, 0.333251953125",
        "0400, 6.103515625E-5", // smallest normal, 2^-14
        "03FF, 6.097555160522461E-5", // largest subnormal, 1023 * 2^-24
        "0001, 5.9604644775390625E-8", // smallest subnormal, 2^-24
        "8001, -5.9604644775390625E-8",
        "0000, 0.0",
        "7C00, Infinity",
        "FC00, -Infinity",
    })
    void halfToFloat(String hex, double expected) {
        assertThat(HalfFloats.halfToFloat(bits(Integer.parseInt(hex, 16)))).isEqualTo((float) expected);
    }

    @Test
    void halfNaNAndNegativeZero() {
        assertThat(HalfFloats.halfToFloat(bits(0x7E00))).isNaN();
        assertThat(HalfFloats.halfToFloat(bits(0xFC01))).isNaN();
        assertThat(Float.floatToRawIntBits(HalfFloats.halfToFloat(bits(0x8000)))).isEqualTo(0x80000000);
        assertThat(Float.floatToRawIntBits(HalfFloats.halfToFloat(bits(0x0000)))).isZero();
    }

    @Test
    void float16RawData() {
        ByteBuffer b = le(12);
        for (int h : new int[] {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x7E00}) {
            b.putShort((short) h);
        }
        Tensor t = decode(raw(DataType.FLOAT16.code(), new long[] {2, 3}, b));

        assertThat(t.type()).as("float16 models are widened to float32 on load").isEqualTo(DataType.FLOAT);
        assertThat(t.dims()).containsExactly(2, 3);
        assertThat(t.elementCount()).isEqualTo(6);
        float[] v = t.toFloatArray();
        assertThat(v).hasSize(6);
        assertThat(v[0]).isEqualTo(1f);
        assertThat(v[1]).isEqualTo(-2f);
        assertThat(v[2]).isEqualTo(65504f);
        assertThat(v[3]).isEqualTo(0x1p-24f);
        assertThat(v[4]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(v[5]).isNaN();
    }

    @Test
    void float16InInt32Data() {
        TensorProto p = emptyTensor("w", DataType.FLOAT16.code(), 4)
                .addInt32Data(0x3C00).addInt32Data(0xC000).addInt32Data(0x7BFF).addInt32Data(0x8001).build();
        assertThat(decode(p).toFloatArray()).containsExactly(1f, -2f, 65504f, -0x1p-24f);
    }

    @Test
    void bfloat16RawAndInt32Data() {
        ByteBuffer b = le(4).putShort(bits(0x3F80)).putShort(bits(0xC040));
        assertThat(decode(raw(DataType.BFLOAT16.code(), new long[] {2}, b)).toFloatArray()).containsExactly(1f, -3f);

        TensorProto p = emptyTensor("w", DataType.BFLOAT16.code(), 2).addInt32Data(0x4049).addInt32Data(0xBF80).build();
        assertThat(decode(p).toFloatArray()).containsExactly(3.140625f, -1f);
    }

    // ----- floating point -----

    @Test
    void floatRawAndFloatData() {
        assertThat(decode(TinyModels.floatTensor("w", new long[] {3}, 1.5f, -0.25f, 1e30f).build()).toFloatArray())
                .containsExactly(1.5f, -0.25f, 1e30f);
        TensorProto typed = emptyTensor("w", DataType.FLOAT.code(), 1, 2).addFloatData(3.5f).addFloatData(-7f).build();
        Tensor t = decode(typed);
        assertThat(t.dims()).containsExactly(1, 2);
        assertThat(t.toFloatArray()).containsExactly(3.5f, -7f);
        // the typed data is laid out like raw_data
        assertThat(t.data().getFloat(4)).isEqualTo(-7f);
    }

    @Test
    void doubleRawAndDoubleData() {
        ByteBuffer b = le(16).putDouble(0.5).putDouble(-2.25);
        assertThat(decode(raw(DataType.DOUBLE.code(), new long[] {2}, b)).toFloatArray()).containsExactly(0.5f, -2.25f);
        TensorProto p = emptyTensor("w", DataType.DOUBLE.code(), 2).addDoubleData(1e-3).addDoubleData(8).build();
        assertThat(decode(p).toFloatArray()).containsExactly(1e-3f, 8f);
    }

    @Test
    void scalarTensor() {
        Tensor t = decode(TinyModels.floatTensor("w", new long[0], 42f).build());
        assertThat(t.dims()).isEmpty();
        assertThat(t.elementCount()).isEqualTo(1);
        assertThat(t.toFloatArray()).containsExactly(42f);
    }

    @Test
    void zeroElementTensor() {
        Tensor t = decode(emptyTensor("w", DataType.FLOAT.code(), 0, 3).build());
        assertThat(t.elementCount()).isZero();
        assertThat(t.toFloatArray()).isEmpty();
    }

    // ----- integers through raw_data -----

    @Test
    void int8AndUint8Raw() {
        ByteBuffer b = le(3).put((byte) -1).put((byte) 127).put((byte) -128);
        assertThat(decode(raw(DataType.INT8.code(), new long[] {3}, b)).toLongArray()).containsExactly(-1, 127, -128);

        ByteBuffer u = le(3).put((byte) 255).put((byte) 0).put((byte) 7);
        Tensor t = decode(raw(DataType.UINT8.code(), new long[] {3}, u));
        assertThat(t.toLongArray()).containsExactly(255, 0, 7);
        assertThat(t.toFloatArray()).containsExactly(255f, 0f, 7f);
    }

    @Test
    void int16AndUint16Raw() {
        ByteBuffer b = le(6).putShort((short) -32768).putShort((short) 32767).putShort((short) -1);
        assertThat(decode(raw(DataType.INT16.code(), new long[] {3}, b)).toLongArray())
                .containsExactly(-32768, 32767, -1);

        ByteBuffer u = le(4).putShort(bits(0xFFFF)).putShort((short) 1);
        assertThat(decode(raw(DataType.UINT16.code(), new long[] {2}, u)).toLongArray()).containsExactly(65535, 1);
    }

    @Test
    void int32AndUint32Raw() {
        ByteBuffer b = le(12).putInt(Integer.MIN_VALUE).putInt(-1).putInt(5);
        Tensor t = decode(raw(DataType.INT32.code(), new long[] {3}, b));
        assertThat(t.toLongArray()).containsExactly(Integer.MIN_VALUE, -1, 5);
        assertThat(t.toFloatArray()).containsExactly(-2147483648f, -1f, 5f);

        ByteBuffer u = le(8).putInt(-1).putInt(0x80000000);
        assertThat(decode(raw(DataType.UINT32.code(), new long[] {2}, u)).toLongArray())
                .containsExactly(4294967295L, 2147483648L);
    }

    @Test
    void int64AndUint64Raw() {
        ByteBuffer b = le(24).putLong(Long.MIN_VALUE).putLong(-1).putLong(Long.MAX_VALUE);
        assertThat(decode(raw(DataType.INT64.code(), new long[] {3}, b)).toLongArray())
                .containsExactly(Long.MIN_VALUE, -1, Long.MAX_VALUE);

        // uint64 keeps its bits: values above Long.MAX_VALUE read as negative longs
        ByteBuffer u = le(16).putLong(7).putLong(-1);
        assertThat(decode(raw(DataType.UINT64.code(), new long[] {2}, u)).toLongArray()).containsExactly(7, -1);
    }

    @Test
    void boolRaw() {
        ByteBuffer b = le(3).put((byte) 1).put((byte) 0).put((byte) 1);
        Tensor t = decode(raw(DataType.BOOL.code(), new long[] {3}, b));
        assertThat(t.type()).isEqualTo(DataType.BOOL);
        assertThat(t.toLongArray()).containsExactly(1, 0, 1);
    }

    // ----- integers through the typed fields -----

    @Test
    void int8InInt32Data() {
        TensorProto p = emptyTensor("w", DataType.INT8.code(), 3).addInt32Data(-5).addInt32Data(7).addInt32Data(-128)
                .build();
        Tensor t = decode(p);
        assertThat(t.toLongArray()).containsExactly(-5, 7, -128);
        assertThat(t.toFloatArray()).containsExactly(-5f, 7f, -128f);
        assertThat(t.data().capacity()).isEqualTo(3);
    }

    @Test
    void uint8InInt32Data() {
        TensorProto p = emptyTensor("w", DataType.UINT8.code(), 2).addInt32Data(200).addInt32Data(0).build();
        assertThat(decode(p).toLongArray()).containsExactly(200, 0);
    }

    @Test
    void int16AndUint16InInt32Data() {
        TensorProto p = emptyTensor("w", DataType.INT16.code(), 2).addInt32Data(-300).addInt32Data(30000).build();
        assertThat(decode(p).toLongArray()).containsExactly(-300, 30000);
        TensorProto u = emptyTensor("w", DataType.UINT16.code(), 1).addInt32Data(65535).build();
        assertThat(decode(u).toLongArray()).containsExactly(65535);
    }

    @Test
    void boolInInt32Data() {
        TensorProto p = emptyTensor("w", DataType.BOOL.code(), 2, 2).addInt32Data(1).addInt32Data(0).addInt32Data(0)
                .addInt32Data(1).build();
        Tensor t = decode(p);
        assertThat(t.dims()).containsExactly(2, 2);
        assertThat(t.toLongArray()).containsExactly(1, 0, 0, 1);
    }

    @Test
    void int32InInt32Data() {
        TensorProto p = emptyTensor("w", DataType.INT32.code(), 2).addInt32Data(-7).addInt32Data(Integer.MAX_VALUE)
                .build();
        assertThat(decode(p).toLongArray()).containsExactly(-7, Integer.MAX_VALUE);
    }

    @Test
    void int64InInt64Data() {
        TensorProto p = emptyTensor("w", DataType.INT64.code(), 2).addInt64Data(Long.MIN_VALUE).addInt64Data(3).build();
        assertThat(decode(p).toLongArray()).containsExactly(Long.MIN_VALUE, 3);
    }

    @Test
    void uint32AndUint64InUint64Data() {
        TensorProto p = emptyTensor("w", DataType.UINT32.code(), 2).addUint64Data(4294967295L).addUint64Data(1).build();
        Tensor t = decode(p);
        assertThat(t.toLongArray()).containsExactly(4294967295L, 1);
        assertThat(t.data().capacity()).isEqualTo(8);

        TensorProto u = emptyTensor("w", DataType.UINT64.code(), 1).addUint64Data(123456789012L).build();
        assertThat(decode(u).toLongArray()).containsExactly(123456789012L);
    }

    // ----- the Tensor record -----

    @Test
    void toLongArrayRefusesFloatingPoint() {
        Tensor t = decode(TinyModels.floatTensor("w", new long[] {1}, 1f).build());
        assertThatThrownBy(t::toLongArray)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("tensor 'w' holds float, not integers");
    }

    @Test
    void tensorIsImmutable() {
        Tensor t = decode(TinyModels.floatTensor("w", new long[] {2}, 1f, 2f).build());
        long[] dims = t.dims();
        dims[0] = 99;
        assertThat(t.dims()).containsExactly(2);

        ByteBuffer data = t.data();
        assertThat(data.isReadOnly()).isTrue();
        assertThat(data.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> data.putFloat(0, 5f)).isInstanceOf(ReadOnlyBufferException.class);
        data.position(4);
        assertThat(t.data().position()).isZero();
        assertThat(t.toFloatArray()).containsExactly(1f, 2f);
    }

    @Test
    void equalTensorsFromRawAndTypedData() {
        Tensor fromRaw = decode(TinyModels.floatTensor("w", new long[] {2}, 1f, 2f).build());
        Tensor fromTyped = decode(emptyTensor("w", DataType.FLOAT.code(), 2).addFloatData(1f).addFloatData(2f).build());
        Tensor other = decode(TinyModels.floatTensor("w", new long[] {2}, 1f, 3f).build());
        assertThat(fromRaw).isEqualTo(fromTyped).hasSameHashCodeAs(fromTyped);
        assertThat(fromRaw).isNotEqualTo(other);
        assertThat(fromRaw).hasToString("Tensor[w, float[2]]");
    }

    @Test
    void dataTypeCodesMatchTheProto() {
        for (DataType t : DataType.values()) {
            assertThat(TensorProto.DataType.forNumber(t.code())).as(t.name()).isNotNull();
            assertThat(TensorProto.DataType.forNumber(t.code()).name()).isEqualTo(t.name());
            assertThat(DataType.fromCode(t.code())).contains(t);
        }
        assertThat(DataType.fromCode(0)).isEmpty();
        assertThat(DataType.fromCode(99)).isEmpty();
        assertThat(DataType.FLOAT16.onnxName()).isEqualTo("float16");
    }
}
