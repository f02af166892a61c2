package io.dnnvis.onnx;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One graph node. {@code alias} is the reference scheme's layer alias ({@code conv4}: the fourth
 * Conv node in file order, Constant nodes not counted) and is empty for Constant nodes;
 * {@code fileIndex} is the node's position in the file. Absent optional inputs are empty strings.
 */
public record Node(
        String name,
        String opType,
        String domain,
        List<String> inputs,
        List<String> outputs,
        Map<String, Attribute> attributes,
        String alias,
        int fileIndex,
        String docString) {

    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Map.copyOf(attributes);
    }

    public Optional<Attribute> attribute(String attributeName) {
        return Optional.ofNullable(attributes.get(attributeName));
    }

    /** Input {@code k}, or the empty string where the node has no such input (an absent optional input). */
    public String input(int k) {
        return k < inputs.size() ? inputs.get(k) : "";
    }

    /** The node's first output: the tensor a layer alias stands for. */
    public String output() {
        return outputs.isEmpty() ? "" : outputs.get(0);
    }

    /** {@code 'name' (Op)}, as error messages name a node. */
    public String describe() {
        return "'" + Quoted.name(name.isEmpty() ? output() : name) + "' (" + Quoted.name(opType) + ")";
    }

    public long intAttribute(String attributeName, long defaultValue) {
        return attribute(attributeName).map(Attribute::asInt).orElse(defaultValue);
    }

    public Optional<long[]> intsAttribute(String attributeName) {
        return attribute(attributeName).map(Attribute::asInts);
    }
}
