package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Layer;
import io.dnnvis.trace.TensorValue;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The signals recorded on the way back, {@code [B] ++ shape} each, by tensor name; found by the
 * alias or node name of the layer producing the tensor too.
 *
 * @param byTensor the signal at each recorded tensor (empty when none were asked for)
 * @param tensorByAlias the recorded tensor of each layer alias, lower case
 * @param tensorByNode the recorded tensor of each layer's node name
 */
public record Signals(Map<String, TensorValue> byTensor, Map<String, String> tensorByAlias,
        Map<String, String> tensorByNode) {

    public Signals {
        byTensor = Map.copyOf(byTensor);
        tensorByAlias = Map.copyOf(tensorByAlias);
        tensorByNode = Map.copyOf(tensorByNode);
    }

    /** No signals recorded. */
    public static Signals none() {
        return new Signals(Map.of(), Map.of(), Map.of());
    }

    /** The signals {@code byTensor}, findable by the aliases and node names of {@code graph}'s layers. */
    static Signals of(Graph graph, Map<String, TensorValue> byTensor) {
        Map<String, String> aliases = new HashMap<>();
        Map<String, String> nodes = new HashMap<>();
        for (Layer layer : graph.layers()) {
            if (byTensor.containsKey(layer.tensor())) {
                aliases.put(layer.alias().toLowerCase(Locale.ROOT), layer.tensor());
                nodes.put(layer.nodeName(), layer.tensor());
            }
        }
        return new Signals(byTensor, aliases, nodes);
    }

    /** The recorded tensors, sorted by name. */
    public List<String> tensors() {
        return List.copyOf(new TreeMap<>(byTensor).keySet());
    }

    /**
     * The signal arriving at a tensor: by tensor name (a layer's output or the model input), else
     * by a layer's alias, else by its node name.
     *
     * @throws BadRequestException when none was recorded there
     */
    public TensorValue get(String layerOrTensor) {
        String tensor = byTensor.containsKey(layerOrTensor) ? layerOrTensor
                : tensorByAlias.getOrDefault(layerOrTensor.toLowerCase(Locale.ROOT),
                        tensorByNode.get(layerOrTensor));
        TensorValue v = tensor == null ? null : byTensor.get(tensor);
        if (v == null) {
            throw new BadRequestException("no signal recorded for '" + layerOrTensor
                    + "' (request withSignals(), and name a layer between the input and the target)");
        }
        return v;
    }
}
