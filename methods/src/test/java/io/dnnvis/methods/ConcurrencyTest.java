package io.dnnvis.methods;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.testdata.TestData;
import io.dnnvis.trace.Npy;
import io.dnnvis.trace.TensorValue;
import io.dnnvis.trace.backward.rules.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * One cold Visualizer (nothing compiled yet), 8 threads, mixed requests started at once: every result
 * equals the one a sequential run on another Visualizer gives.
 */
class ConcurrencyTest {

    @Test
    void eightThreadsGetTheSequentialResults() throws Exception {
        TensorValue input = Npy.read(TestData.referenceInput("lenet"), "input");
        List<Function<Visualizer, Reconstruction>> requests = List.of(
                v -> v.desalinet().layer("conv2").neurons(10).run(input),
                v -> v.salinet().layer("conv2").neurons(3, 10).run(input),
                v -> v.deconvnet().layer("conv2").neurons(7).pooling(Pooling.SPREAD).run(input),
                v -> v.salinet().layer("gemm1").neurons(5).run(input),
                v -> v.desalinet().layer("conv1").neurons(3).pooling(Pooling.CENTER).run(input),
                v -> v.deconvnet().layer("conv2").neurons(12).position(6, 6).run(input));
        List<float[]> sequential = new ArrayList<>();
        try (Visualizer alone = Visualizer.open(TestData.referenceModel("lenet"))) {
            for (Function<Visualizer, Reconstruction> r : requests) {
                sequential.add(r.apply(alone).tensor().data());
            }
        }
        try (Visualizer vis = Visualizer.open(TestData.referenceModel("lenet"))) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<float[]>> futures = new ArrayList<>();
                for (int k = 0; k < 48; k++) {
                    Function<Visualizer, Reconstruction> r = requests.get(k % requests.size());
                    futures.add(pool.submit(() -> {
                        go.await();
                        return r.apply(vis).tensor().data();
                    }));
                }
                go.countDown();
                for (int k = 0; k < futures.size(); k++) {
                    assertThat(futures.get(k).get(120, TimeUnit.SECONDS)).as("request %d", k % requests.size())
                            .containsExactly(sequential.get(k % requests.size()));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
