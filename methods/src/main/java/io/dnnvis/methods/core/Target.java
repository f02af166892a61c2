package io.dnnvis.methods.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A score of the model that a method explains: occlusion watches its value, {@code visualize}
 * sends its gradient back. One grammar for every command ({@link #parse}):
 *
 * <ul>
 *   <li>{@code class:K} or {@code class:LABEL}: on an output {@code [N, K]} the logit K; on
 *       {@code [N, K, H, W]} (segmentation) the sum of class K's map, optionally only inside an
 *       {@link TargetArea area}; on {@code [N, T, K]} (sequence) the sum over every step, or with
 *       {@code class:K@t} step t alone. The output is the model's first, or the one named by
 *       {@link ClassScore#onOutput}.
 *   <li>{@code output:NAME[i,j,...]}: one element of a named tensor (a graph output, or any layer),
 *       an index for every axis, the batch axis included (0); negative indices count from the end.
 *   <li>{@code neuron:C} or {@code neuron:C,Y,X}: channel C of a layer, its map's sum or one position.
 * </ul>
 */
public sealed interface Target permits Target.ClassScore, Target.NeuronScore, Target.OutputElement {

    /** Whether the target lies in a layer the caller names (neurons), rather than in a model output. */
    default boolean needsLayer() {
        return false;
    }

    /**
     * Class {@code classKey} (an index, or a label of the model's metadata {@code labels}) of a model
     * output: see {@link Target}.
     *
     * @param step the step of a sequence output {@code [N, T, K]}; empty: the sum over every step
     * @param output the output tensor (name or alias); empty: the model's first output
     * @param area where a segmentation map is summed; empty: everywhere
     */
    record ClassScore(String classKey, OptionalInt step, Optional<String> output, Optional<TargetArea> area)
            implements Target {
        public ClassScore {
            if (classKey == null || classKey.isBlank()) {
                throw new BadRequestException("a class target needs a class index or label");
            }
            classKey = classKey.strip();
        }

        public ClassScore(String classKey) {
            this(classKey, OptionalInt.empty(), Optional.empty(), Optional.empty());
        }

        /** The same class in output {@code name} (a tensor name or alias). */
        public ClassScore onOutput(String name) {
            return new ClassScore(classKey, step, Optional.of(name), area);
        }

        /** The same class summed only inside {@code where} (segmentation outputs). */
        public ClassScore within(TargetArea where) {
            return new ClassScore(classKey, step, output, Optional.of(where));
        }

        @Override
        public String toString() {
            return "class:" + classKey + (step.isPresent() ? "@" + step.getAsInt() : "")
                    + area.map(a -> " in " + (a instanceof TargetArea.Region ? "region " : "") + a).orElse("");
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
        public boolean needsLayer() {
            return true;
        }

        @Override
        public String toString() {
            return "neuron:" + channel + position.map(p -> "," + p.y() + "," + p.x()).orElse("");
        }
    }

    /**
     * One element of tensor {@code output} (a graph output's name, or any layer's name or alias):
     * an index per axis, negative ones counting from the end.
     */
    record OutputElement(String output, List<Long> indices) implements Target {
        public OutputElement {
            if (output == null || output.isBlank()) {
                throw new BadRequestException("an output target needs a tensor name");
            }
            if (indices.isEmpty()) {
                throw new BadRequestException("output:" + output + " needs an index for every axis, e.g. "
                        + output + "[0,3]");
            }
            output = output.strip();
            indices = List.copyOf(indices);
        }

        @Override
        public String toString() {
            return "output:" + output + indices.toString().replace(" ", "");
        }
    }

    /** Class {@code index} of the model output. */
    static ClassScore classIndex(int index) {
        if (index < 0) {
            throw new BadRequestException("class index must not be negative, got " + index);
        }
        return new ClassScore(Integer.toString(index));
    }

    /** Class {@code index} at step {@code step} of a sequence output {@code [N, T, K]}. */
    static ClassScore classAtStep(int index, int step) {
        return new ClassScore(classIndex(index).classKey(), OptionalInt.of(step), Optional.empty(), Optional.empty());
    }

    /** The class the model's metadata labels {@code label}. */
    static ClassScore classLabel(String label) {
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

    /** Element {@code indices} of tensor {@code output}. */
    static Target element(String output, long... indices) {
        List<Long> list = new ArrayList<>();
        for (long i : indices) {
            list.add(i);
        }
        return new OutputElement(output, list);
    }

    /**
     * Parses {@code class:K}, {@code class:LABEL}, {@code class:K@t}, {@code output:NAME[i,j,...]},
     * {@code neuron:C} or {@code neuron:C,Y,X}.
     */
    static Target parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        String kind = colon < 0 ? "" : t.substring(0, colon).strip();
        String rest = colon < 0 ? "" : t.substring(colon + 1).strip();
        try {
            if (kind.equalsIgnoreCase("class") && !rest.isEmpty()) {
                return parseClass(rest);
            }
            if (kind.equalsIgnoreCase("output") && rest.endsWith("]") && rest.lastIndexOf('[') > 0) {
                int open = rest.lastIndexOf('[');
                List<Long> indices = new ArrayList<>();
                for (String part : rest.substring(open + 1, rest.length() - 1).split(",", -1)) {
                    indices.add(Long.parseLong(part.strip()));
                }
                return new OutputElement(rest.substring(0, open), indices);
            }
            if (kind.equalsIgnoreCase("neuron")) {
                String[] parts = rest.split(",", -1);
                if (parts.length == 1) {
                    return neuron(Integer.parseInt(parts[0].strip()));
                }
                if (parts.length == 3) {
                    return neuron(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()),
                            Integer.parseInt(parts[2].strip()));
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new BadRequestException("target '" + text + "' is not class:K, class:LABEL, class:K@t, "
                + "output:NAME[i,j,...], neuron:C or neuron:C,Y,X");
    }

    /** {@code K}, {@code LABEL} or {@code K@t} (a label may hold '@' when what follows is no number). */
    private static ClassScore parseClass(String rest) {
        int at = rest.lastIndexOf('@');
        if (at > 0) {
            String step = rest.substring(at + 1).strip();
            if (step.matches("-?\\d+")) {
                return new ClassScore(rest.substring(0, at), OptionalInt.of(Integer.parseInt(step)), Optional.empty(),
                        Optional.empty());
            }
        }
        return new ClassScore(rest);
    }
}
