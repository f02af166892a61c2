package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.methods.core.GridPoint;
import io.dnnvis.methods.core.Target;
import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.TensorValue;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Several neurons of one image in one backward run, each at its own position, equal the runs alone. */
class NeuronBatchesTest {

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
