package io.dnnvis.methods.occlusion;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.GridPoint;
import java.util.Optional;

/**
 * The score that score occlusion watches: a class logit of the model's output, or one neuron of the
 * request's layer.
 */
public sealed interface Target permits Target.ClassScore, Target.NeuronScore {

    /**
     * Entry {@code classKey} of the model's first output {@code [1, K]}: a class index, or a label of
     * the model's metadata {@code labels} (comma-separated).
     */
    record ClassScore(String classKey) implements Target {
        public ClassScore {
            if (classKey == null || classKey.isBlank()) {
                throw new BadRequestException("a class target needs a class index or label");
            }
            classKey = classKey.strip();
        }

        @Override
        public String toString() {
            return "class:" + classKey;
        }
    }

    /**
     * Channel {@code channel} of the request's layer: the value at {@code position} of its map, or,
     * without a position, the sum of its map (for a 2-D layer {@code [1, K]}: unit {@code channel}).
     */
    record NeuronScore(int channel, Optional<GridPoint> position) implements Target {
        public NeuronScore {
            if (channel < 0) {
                throw new BadRequestException("neuron channel must not be negative, got " + channel);
            }
            if (position.isPresent() && (position.get().y() < 0 || position.get().x() < 0)) {
                throw new BadRequestException("neuron position must not be negative, got " + position.get());
            }
        }

        @Override
        public String toString() {
            return "neuron:" + channel + position.map(p -> "," + p.y() + "," + p.x()).orElse("");
        }
    }

    /** Class {@code index} of the model output. */
    static Target classIndex(int index) {
        if (index < 0) {
            throw new BadRequestException("class index must not be negative, got " + index);
        }
        return new ClassScore(Integer.toString(index));
    }

    /** The class the model's metadata labels {@code label}. */
    static Target classLabel(String label) {
        return new ClassScore(label);
    }

    /** The sum of channel {@code channel}'s map (unit {@code channel} of a 2-D layer). */
    static Target neuron(int channel) {
        return new NeuronScore(channel, Optional.empty());
    }

    /** The neuron at row y, column x of channel {@code channel}'s map. */
    static Target neuron(int channel, int y, int x) {
        return new NeuronScore(channel, Optional.of(new GridPoint(y, x)));
    }

    /** Parses {@code class:K}, {@code class:LABEL}, {@code neuron:C} or {@code neuron:C,Y,X}. */
    static Target parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        String kind = colon < 0 ? "" : t.substring(0, colon).strip();
        String rest = colon < 0 ? "" : t.substring(colon + 1).strip();
        if (kind.equalsIgnoreCase("class") && !rest.isEmpty()) {
            return new ClassScore(rest);
        }
        if (kind.equalsIgnoreCase("neuron")) {
            String[] parts = rest.split(",", -1);
            try {
                if (parts.length == 1) {
                    return neuron(Integer.parseInt(parts[0].strip()));
                }
                if (parts.length == 3) {
                    return neuron(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()),
                            Integer.parseInt(parts[2].strip()));
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
        }
        throw new BadRequestException("target '" + text + "' is not class:K, class:LABEL, neuron:C or neuron:C,Y,X");
    }
}
