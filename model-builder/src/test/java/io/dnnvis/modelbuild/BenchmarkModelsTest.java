package io.dnnvis.modelbuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnnvis.onnx.Dim;
import io.dnnvis.onnx.Graph;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.Node;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Tensor;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.NodeProto;
import io.dnnvis.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkModelsTest {

    /** torchvision's parameter counts (ResNet-50: 25,557,032 trainable + 53,120 BN running statistics). */
    private static final long ALEXNET_PARAMS = 61_100_840L;
    private static final long VGG16_PARAMS = 138_357_544L;
    private static final long RESNET50_PARAMS = 25_557_032L + 53_120L;

    @Test
    void alexNetIsWrittenOnceLoadsHasTorchvisionsLayoutAndIsDeterministic(@TempDir Path cache) throws IOException {
        Path file = BenchmarkModels.ensure("alexnet", cache);
        FileTime written = Files.getLastModifiedTime(file);
        OnnxModel model = OnnxModel.load(file);
        Graph graph = model.graph();

        assertThat(file).isEqualTo(cache.resolve("alexnet-v" + BenchmarkModels.VERSION + ".onnx"));
        assertThat(model.opset()).isEqualTo(13);
        assertThat(model.metadata()).containsEntry("preprocessing", "imagenet");
        assertThat(graph.nodes()).extracting(Node::opType).containsExactly(
                "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Conv", "Relu", "Conv", "Relu",
                "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm");
        assertThat(graph.layers()).extracting(Layer::alias).contains("conv1", "conv5", "relu5", "maxpool3",
                "flatten1", "gemm1", "gemm3", "relu7");
        assertThat(graph.inputs()).singleElement().satisfies(in -> {
            assertThat(in.name()).isEqualTo(BenchmarkModels.INPUT);
            assertThat(in.shape()).contains(List.of(Dim.symbolic("N"), Dim.fixed(3), Dim.fixed(224), Dim.fixed(224)));
        });
        assertThat(graph.outputs().get(0).shape()).contains(List.of(Dim.symbolic("N"), Dim.fixed(1000)));

        Node conv1 = graph.layer("conv1").node();
        assertThat(conv1.intsAttribute("kernel_shape")).hasValueSatisfying(v -> assertThat(v).containsExactly(11, 11));
        assertThat(conv1.intsAttribute("strides")).hasValueSatisfying(v -> assertThat(v).containsExactly(4, 4));
        assertThat(conv1.intsAttribute("pads")).hasValueSatisfying(v -> assertThat(v).containsExactly(2, 2, 2, 2));
        Map<String, Tensor> init = graph.initializers();
        assertThat(init.get("Conv_2_W").dims()).containsExactly(192, 64, 5, 5);
        assertThat(init.get("Conv_5_W").dims()).containsExactly(256, 256, 3, 3);
        assertThat(init.get("Gemm_1_W").dims()).containsExactly(4096, 9216);
        assertThat(init.get("Gemm_3_W").dims()).containsExactly(1000, 4096);
        assertThat(init.values().stream().mapToLong(Tensor::elementCount).sum()).isEqualTo(ALEXNET_PARAMS);

        assertThat(BenchmarkModels.ensure("alexnet", cache)).isEqualTo(file);
        assertThat(Files.getLastModifiedTime(file)).as("reused, not rewritten").isEqualTo(written);
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files).as("no temporary files left").containsExactly(file);
        }
        byte[] again = BenchmarkModels.builder("alexnet", BenchmarkModels.SEED).toBytes();
        assertThat(sha256(again)).as("same seed, same bytes").isEqualTo(model.sha256());
    }

    @Test
    void vgg16HasConfigurationDsThirteenConvsAndItsParameterCount() {
        ModelProto model = BenchmarkModels.builder("vgg16").build();

        assertThat(opCounts(model)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "Conv", 13L, "Relu", 15L, "MaxPool", 5L, "Flatten", 1L, "Gemm", 3L)));
        assertThat(parameters(model)).isEqualTo(VGG16_PARAMS);
        assertThat(dims(model, "Conv_13_W")).containsExactly(512L, 512L, 3L, 3L);
        assertThat(dims(model, "Gemm_1_W")).containsExactly(4096L, 25088L);
    }

    @Test
    void resNet50HasBottlenecksWithBatchNormAndLoads() {
        ModelBuilder builder = BenchmarkModels.builder("resnet50");
        ModelProto model = builder.build();
        Graph graph = builder.load().graph();

        assertThat(opCounts(model)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "Conv", 53L, "BatchNormalization", 53L, "Relu", 49L, "Add", 16L, "MaxPool", 1L,
                "GlobalAveragePool", 1L, "Flatten", 1L, "Gemm", 1L)));
        assertThat(parameters(model)).isEqualTo(RESNET50_PARAMS);
        assertThat(model.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("Conv"))
                .allSatisfy(n -> assertThat(n.getInputCount()).as(n.getName() + " has no bias").isEqualTo(2));
        assertThat(dims(model, "layer1.0.downsample.0.weight")).containsExactly(256L, 64L, 1L, 1L);
        assertThat(dims(model, "layer4.2.conv3.weight")).containsExactly(2048L, 512L, 1L, 1L);
        Node stridedConv = graph.consumers("layer2.0.conv2.weight").get(0);
        assertThat(stridedConv.intsAttribute("strides")).hasValueSatisfying(v -> assertThat(v).containsExactly(2, 2));
        assertThat(graph.consumers(graph.layer("add16").tensor())).extracting(Node::opType).containsExactly("Relu");
    }

    @Test
    void cacheFolderComesFromThePropertyAndUnknownNamesAreRefused(@TempDir Path cache) {
        String before = System.getProperty(BenchmarkModels.CACHE_PROPERTY);
        System.setProperty(BenchmarkModels.CACHE_PROPERTY, cache.toString());
        try {
            assertThat(BenchmarkModels.defaultCacheDir()).isEqualTo(cache);
        } finally {
            if (before == null) {
                System.clearProperty(BenchmarkModels.CACHE_PROPERTY);
            } else {
                System.setProperty(BenchmarkModels.CACHE_PROPERTY, before);
            }
        }
        assertThatThrownBy(() -> BenchmarkModels.ensure("googlenet", cache))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alexnet, vgg16, resnet50");
        assertThat(cache).isEmptyDirectory();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Long> opCounts(ModelProto model) {
        return model.getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, TreeMap::new, Collectors.counting()));
    }

    private static long parameters(ModelProto model) {
        return model.getGraph().getInitializerList().stream()
                .mapToLong(t -> t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact))
                .sum();
    }

    private static List<Long> dims(ModelProto model, String initializer) {
        return model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(initializer))
                .findFirst().map(TensorProto::getDimsList).orElseThrow();
    }
}
