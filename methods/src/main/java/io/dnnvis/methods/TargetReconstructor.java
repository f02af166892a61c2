package io.dnnvis.methods;

import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.ChannelAxis;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.core.Target;
import io.dnnvis.methods.core.TargetSelection;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.BackwardEngine;
import io.dnnvis.trace.backward.BackwardResult;
import io.dnnvis.trace.backward.BackwardSpec;
import java.util.List;
import java.util.Optional;

/** Runs target requests: resolves the target on its tensor and starts the backward net from its mask. */
final class TargetReconstructor {

    private final OnnxModel model;
    private final BackwardEngine engine;
    private final InputLayout layout;

    TargetReconstructor(OnnxModel model, BackwardEngine engine, InputLayout layout) {
        this.model = model;
        this.engine = engine;
        this.layout = layout;
    }

    /**
     * Runs {@code request} on one input image: one reconstruction {@code [1, C, H, W]}, labelled with
     * the unit the target lies in (the class, or the channel); NCHW whatever the model's layout.
     */
    Reconstruction run(TargetRequest request, TensorValue input) {
        Layer layer = layer(request);
        TargetSelection selection = resolve(request, layer, input);
        BackwardSpec spec = new BackwardSpec(layer.tensor(), request.method().rules(request.gates()).withPooling(request.pooling()),
                request.start(), false);
        BackwardResult result = engine.run(spec, input, List.of(selection.mask()));
        int[] unit = {selection.unit()};
        BackwardRequest described = new BackwardRequest(request.method(), layer.tensor(), unit, false,
                Optional.empty(), request.pooling(), request.start(), false, false, request.gates());
        return new Reconstruction(described, layer, unit, Reconstructor.asNchw(result.reconstruction(), layout), null,
                Signals.none());
    }

    /** Fails as {@link #run} would for a target that does not exist or cannot be explained; runs only the shape probe. */
    TargetSelection check(TargetRequest request, TensorValue input) {
        return resolve(request, layer(request), input);
    }

    /** The layer holding the target: the named layer for neurons, else the target's output. */
    Layer layer(TargetRequest request) {
        Target target = request.target();
        String tensor = TargetSelection.tensorOf(model, target, request.layer().orElse(null));
        Layer layer = model.graph().layerOfTensor(tensor);
        if (!target.needsLayer() && request.layer().isPresent()
                && !model.graph().layer(request.layer().get()).tensor().equals(tensor)) {
            throw new BadRequestException("target " + target + " lies in '" + tensor + "', not in layer '"
                    + request.layer().get() + "' (leave --layer out, or give a neuron:C target)");
        }
        return layer;
    }

    private TargetSelection resolve(TargetRequest request, Layer layer, TensorValue input) {
        java.util.Map<String, long[]> shapes = engine.shapes(layer.tensor(), input.shape());
        String name = request.layer().orElse(layer.alias().isEmpty() ? layer.tensor() : layer.alias());
        if (request.target() instanceof Target.NeuronScore) {
            ChannelAxis.requireFirst(model.graph(), shapes, layout, layer.tensor(), "'" + name + "'",
                    "a neuron target counts channels on axis 1 (output:NAME[...] names any element)");
        }
        return TargetSelection.resolve(model, request.target(), name, layer.tensor(), shapes, layout);
    }
}
