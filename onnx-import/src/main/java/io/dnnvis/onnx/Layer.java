package io.dnnvis.onnx;

/**
 * An addressable layer: a node and one of its output tensors. A layer is named by its alias
 * ({@code conv4}), its node name or its output tensor name.
 */
public record Layer(Node node, String tensor) {

    public String alias() {
        return node.alias();
    }

    public String nodeName() {
        return node.name();
    }

    public String op() {
        return node.opType();
    }
}
