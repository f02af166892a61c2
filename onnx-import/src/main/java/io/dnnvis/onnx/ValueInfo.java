package io.dnnvis.onnx;

import java.util.List;
import java.util.Optional;

/**
 * A declared graph input or output: name, element type (empty when not declared or not a tensor)
 * and shape (empty when the model declares none).
 */
public record ValueInfo(String name, Optional<DataType> elemType, Optional<List<Dim>> shape, String docString) {

    public ValueInfo {
        shape = shape.map(List::copyOf);
    }

    /** The shape with every non-fixed dimension replaced by {@code dynamicValue}; empty if undeclared. */
    public Optional<long[]> concreteShape(long dynamicValue) {
        return shape.map(dims -> dims.stream().mapToLong(d -> d.isFixed() ? d.value() : dynamicValue).toArray());
    }

    /** Whether the shape is declared and leaves its first (batch) dimension open. */
    public boolean hasOpenBatch() {
        return shape.isPresent() && !shape.get().isEmpty() && !shape.get().get(0).isFixed();
    }

    @Override
    public String toString() {
        return name + shape.map(Object::toString).orElse("[?]");
    }
}
