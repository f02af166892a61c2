package io.dnnvis.trace.backward.rules;

import io.dnnvis.onnx.Attribute;
import io.dnnvis.onnx.build.OnnxProtos;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;

/** Turns a parsed attribute back into protobuf, to re-emit a forward op with its own settings. */
final class Attributes {

    private Attributes() {
    }

    static AttributeProto toProto(Attribute a) {
        return switch (a.kind()) {
            case FLOAT -> OnnxProtos.floatAttr(a.name(), a.asFloat());
            case INT -> OnnxProtos.intAttr(a.name(), a.asInt());
            case STRING -> OnnxProtos.stringAttr(a.name(), a.asString());
            case FLOATS -> OnnxProtos.floatsAttr(a.name(), a.asFloats());
            case INTS -> OnnxProtos.intsAttr(a.name(), a.asInts());
            default -> throw new IllegalArgumentException("attribute '" + a.name() + "' of kind " + a.kind()
                    + " cannot be re-emitted");
        };
    }
}
