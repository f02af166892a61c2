package io.dnnvis.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of a forward pass: the requested intermediate tensors and the model's outputs,
 * by tensor name, copied out of ONNX Runtime (nothing native is held).
 */
public final class Trace {

    private final Map<String, TensorValue> tensors;

    Trace(Map<String, TensorValue> tensors) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** Tensor names, requested ones first, then the model outputs. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public boolean contains(String tensor) {
        return tensors.containsKey(tensor);
    }

    public TensorValue get(String tensor) {
        TensorValue v = tensors.get(tensor);
        if (v == null) {
            throw new IllegalArgumentException("tensor '" + tensor + "' is not in this trace; traced: " + names());
        }
        return v;
    }

    public long[] shape(String tensor) {
        return get(tensor).shape();
    }

    /** The tensor as a new ND4J array. */
    public INDArray array(String tensor) {
        return get(tensor).toINDArray();
    }

    public Map<String, TensorValue> asMap() {
        return tensors;
    }
}
