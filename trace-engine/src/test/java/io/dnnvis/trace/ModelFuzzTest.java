package io.dnnvis.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnnvis.onnx.InvalidModelException;
import io.dnnvis.onnx.LoadOptions;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.proto.OnnxProto.AttributeProto;
import io.dnnvis.onnx.proto.OnnxProto.GraphProto;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.testdata.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mutated reference models (byte flips, truncations, insertions, and structural mutations of
 * attributes and inputs) must each load and run, or fail with a one-line error naming the file —
 * never crash the JVM, hang, or throw anything else. {@code -Ddnnvis.fuzz.count=N} runs more.
 */
class ModelFuzzTest {

    private static final int COUNT = Integer.getInteger("dnnvis.fuzz.count", 1000);
    private static final Path NAME = Path.of("fuzz.onnx");
    /** Mutants checked in this JVM, and the slowest one: printed once at the end (issue #6 asks for both). */
    private static final AtomicInteger TRIED = new AtomicInteger();
    private static long slowestNanos;
    private static String slowest = "none";
    private static final long[] ODD_INTS = {0, -1, -2, -100, 1, 2, 3, 100, 10_000, Integer.MAX_VALUE, Long.MAX_VALUE,
        Long.MIN_VALUE};

    @ParameterizedTest
    @ValueSource(strings = {"lenet", "resnet-mini"})
    void byteMutants(String name) throws Exception {
        byte[] base = Files.readAllBytes(TestData.referenceModel(name));
        Random random = new Random(name.hashCode());
        for (int i = 0; i < COUNT; i++) {
            byte[] m = switch (random.nextInt(3)) {
                case 0 -> flip(base, random);
                case 1 -> Arrays.copyOf(base, random.nextInt(base.length));
                default -> insert(base, random);
            };
            check(m, name + " byte mutant " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet", "alexnet-mini"})
    void structuralMutants(String name) throws Exception {
        ModelProto base = ModelProto.parseFrom(Files.readAllBytes(TestData.referenceModel(name)));
        Random random = new Random(name.hashCode() * 31L);
        for (int i = 0; i < COUNT / 4; i++) {
            check(mutate(base, random).toByteArray(), name + " structural mutant " + i);
        }
    }

    private static void check(byte[] bytes, String what) {
        long start = System.nanoTime();
        try {
            OnnxModel model = OnnxModel.fromBytes(bytes, NAME, LoadOptions.defaults());
            try (Tracer tracer = Tracer.open(model)) {
                LayerTable.of(tracer, null);
            }
        } catch (InvalidModelException | ModelRefusedException | BadInputException e) {
            assertThat(e.getMessage()).as(what).startsWith(NAME + ": ").doesNotContain("\n");
        }
        long took = System.nanoTime() - start;
        remember(took, what);
        assertThat(took / 1e9).as(what + " seconds").isLessThan(10);
    }

    private static synchronized void remember(long nanos, String what) {
        TRIED.incrementAndGet();
        if (nanos > slowestNanos) {
            slowestNanos = nanos;
            slowest = what;
        }
    }

    @AfterAll
    static synchronized void summary() {
        System.out.printf("ModelFuzzTest: %d mutants, slowest %.1f ms (%s)%n", TRIED.get(), slowestNanos / 1e6,
                slowest);
    }

    private static byte[] flip(byte[] base, Random random) {
        byte[] m = base.clone();
        for (int f = 1 + random.nextInt(4); f > 0; f--) {
            m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return m;
    }

    private static byte[] insert(byte[] base, Random random) {
        int at = random.nextInt(base.length);
        byte[] extra = new byte[1 + random.nextInt(8)];
        random.nextBytes(extra);
        byte[] m = new byte[base.length + extra.length];
        System.arraycopy(base, 0, m, 0, at);
        System.arraycopy(extra, 0, m, at, extra.length);
        System.arraycopy(base, at, m, at + extra.length, base.length - at);
        return m;
    }

    /** Changes one attribute value or type, or removes or adds one node input. */
    private static ModelProto mutate(ModelProto base, Random random) {
        GraphProto.Builder g = base.getGraph().toBuilder();
        NodeProto.Builder node = g.getNodeBuilder(random.nextInt(g.getNodeCount()));
        if (node.getAttributeCount() > 0 && random.nextInt(4) > 0) {
            AttributeProto.Builder a = node.getAttributeBuilder(random.nextInt(node.getAttributeCount()));
            if (a.getIntsCount() > 0) {
                a.setInts(random.nextInt(a.getIntsCount()), ODD_INTS[random.nextInt(ODD_INTS.length)]);
            } else if (a.hasI()) {
                a.setI(ODD_INTS[random.nextInt(ODD_INTS.length)]);
            } else if (a.hasF()) {
                a.setF(new float[] {0, -1, Float.NaN, Float.POSITIVE_INFINITY, 1e30f}[random.nextInt(5)]);
            }
            if (random.nextInt(5) == 0) {
                a.setType(AttributeProto.AttributeType.FLOAT);
            }
        } else if (node.getInputCount() > 0 && random.nextBoolean()) {
            List<String> inputs = new ArrayList<>(node.getInputList());
            inputs.remove(inputs.size() - 1);
            node.clearInput().addAllInput(inputs);
        } else {
            node.addInput(g.getNode(random.nextInt(g.getNodeCount())).getOutput(0));
        }
        return base.toBuilder().setGraph(g).build();
    }
}
