package io.dnnvis.onnx;

import java.util.List;

/** A layer name that is no alias, node name or tensor name of the model; lists the nearest names. */
public final class UnknownLayerException extends UserErrorException {

    private final String requested;
    private final List<String> suggestions;

    public UnknownLayerException(String requested, List<String> suggestions) {
        super("no layer '" + InvalidModelException.oneLine(requested) + "' (not an alias, node name or tensor name)"
                + (suggestions.isEmpty() ? "" : "; nearest: "
                        + String.join(", ", suggestions.stream().map(Quoted::name).toList())));
        this.requested = requested;
        this.suggestions = List.copyOf(suggestions);
    }

    public String requested() {
        return requested;
    }

    public List<String> suggestions() {
        return suggestions;
    }
}
