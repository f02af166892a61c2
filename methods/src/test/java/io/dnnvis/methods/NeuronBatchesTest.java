package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.methods.core.Target;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.TensorValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** N images in one backward run, each from its own neuron and position, equal the N runs alone. */
class NeuronBatchesTest {

    @Test
    void aBatchOfImagesEachFromItsOwnNeuronEqualsTheRunsAlone() {
        try (Visualizer vis = Visualizer.open(TestData.referenceModel("alexnet-mini"))) {
            assertThat(NeuronBatches.available(vis)).isTrue();
            String tensor = vis.model().graph().layer("conv4").tensor();
            Random rnd = new Random(3);
            List<TensorValue> images = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                float[] data = new float[3 * 224 * 224];
                for (int i = 0; i < data.length; i++) {
                    data[i] = rnd.nextFloat() * 2 - 1;
                }
                images.add(new TensorValue("input", new long[] {1, 3, 224, 224}, data));
            }
            int[] units = {5, 17, 5};
            int[] ys = {0, 6, 12};
            int[] xs = {12, 3, 7};
            for (BackwardMethod method : BackwardMethod.values()) {
                TensorValue batch = NeuronBatches.run(vis, method, tensor, TensorValue.concatFirstAxis(images), units, ys,
                        xs);
                assertThat(batch.shape()).containsExactly(3, 3, 224, 224);
                float[] all = batch.data();
                int size = 3 * 224 * 224;
                for (int k = 0; k < 3; k++) {
                    TargetRequest alone = TargetRequest.of(method,
                            new Target.NeuronScore(units[k], Optional.of(new GridPoint(ys[k], xs[k]))), tensor);
                    float[] expected = vis.run(alone, images.get(k)).tensor().data();
                    double max = 0;
                    double diff = 0;
                    for (int i = 0; i < size; i++) {
                        max = Math.max(max, Math.abs(expected[i]));
                        diff = Math.max(diff, Math.abs(expected[i] - all[k * size + i]));
                    }
                    assertThat(max).as("%s image %d is not all zero", method, k).isGreaterThan(0);
                    assertThat(diff).as("%s image %d", method, k).isLessThanOrEqualTo(1e-5 * max);
                }
            }
        }
    }

    /** Several neurons of one image, each at its own position, in one run: each as its own run alone. */
    @Test
    void neuronsOfOneImageAtTheirOwnPositionsEqualTheRunsAlone() {
        for (String model : new String[] {"alexnet-mini", "resnet-mini"}) {
            try (Visualizer vis = Visualizer.open(TestData.referenceModel(model))) {
                String tensor = vis.model().graph().layer(model.equals("resnet-mini") ? "relu5" : "conv4").tensor();
                long[] inputShape = model.equals("resnet-mini") ? new long[] {1, 3, 64, 64} : new long[] {1, 3, 224, 224};
                long[] layer = vis.engine().shapes(tensor, inputShape).get(tensor);
                Random rnd = new Random(7);
                float[] data = new float[(int) (inputShape[1] * inputShape[2] * inputShape[3])];
                for (int i = 0; i < data.length; i++) {
                    data[i] = rnd.nextFloat() * 2 - 1;
                }
                TensorValue image = new TensorValue(vis.model().graph().inputs().get(0).name(), inputShape, data);
                int[] units = {3, 9, 3, (int) layer[1] - 1};
                int[] ys = {0, (int) layer[2] - 1, 2, 1};
                int[] xs = {1, 0, (int) layer[3] - 1, 2};
                for (BackwardMethod method : BackwardMethod.values()) {
                    TensorValue together = NeuronBatches.runOnOneImage(vis, method, tensor, image, units, ys, xs);
                    assertThat(together.shape()).containsExactly(4, inputShape[1], inputShape[2], inputShape[3]);
                    float[] all = together.data();
                    int size = data.length;
                    double largest = 0;
                    for (int k = 0; k < units.length; k++) {
                        TargetRequest alone = TargetRequest.of(method,
                                new Target.NeuronScore(units[k], Optional.of(new GridPoint(ys[k], xs[k]))), tensor);
                        float[] expected = vis.run(alone, image).tensor().data();
                        double max = 0;
                        double diff = 0;
                        for (int i = 0; i < size; i++) {
                            max = Math.max(max, Math.abs(expected[i]));
                            diff = Math.max(diff, Math.abs(expected[i] - all[k * size + i]));
                        }
                        largest = Math.max(largest, max);
                        assertThat(diff).as("%s %s neuron %d", model, method, k).isLessThanOrEqualTo(1e-5 * max);
                    }
                    // a Relu neuron at a position where it is 0 has no gradient; not all of them
                    assertThat(largest).as("%s %s: not all zero", model, method).isGreaterThan(0);
                }
            }
        }
    }
}
