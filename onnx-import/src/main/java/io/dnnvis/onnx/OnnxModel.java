package io.dnnvis.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.dnnvis.onnx.proto.OnnxProto.ModelProto;
import io.dnnvis.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.dnnvis.onnx.proto.OnnxProto.StringStringEntryProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded, validated ONNX model. Immutable and safe to share between threads.
 *
 * <pre>{@code
 * OnnxModel model = OnnxModel.load(Path.of("alexnet.onnx"));
 * Layer conv4 = model.graph().layer("conv4");
 * }</pre>
 *
 * <p>Everything that could make ONNX Runtime read outside the model's folder, allocate absurd
 * memory or crash natively is refused here with an {@link InvalidModelException} whose message
 * names the file and the problem on one line.
 */
public final class OnnxModel {

    /** IR versions dnnvis reads (ONNX 1.2 to 1.18). */
    public static final long MIN_IR_VERSION = 3;
    public static final long MAX_IR_VERSION = 11;
    /** Opset versions of the default domain dnnvis reads. */
    public static final long MIN_OPSET = 7;
    public static final long MAX_OPSET = 24;
    /** Protobuf cannot hold more than 2 GiB; larger files are refused before they are read. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

    private static final String NOT_BINARY = "not an ONNX model: the file is text, not a binary ONNX protobuf";

    private final Path path;
    private final ModelProto runtimeProto;
    private final Graph graph;
    private final Map<String, Long> opsetImports;
    private final Map<String, String> metadata;
    /** The file's bytes (the parsed protobuf's byte fields alias them), hashed when first asked. */
    private final ByteBuffer fileBytes;
    private final long fileOpset;
    private volatile String sha256;

    private OnnxModel(Path path, ModelProto runtimeProto, Graph graph, Map<String, Long> opsetImports,
            Map<String, String> metadata, ByteBuffer fileBytes, long fileOpset) {
        this.fileOpset = fileOpset;
        this.path = path;
        this.runtimeProto = runtimeProto;
        this.graph = graph;
        this.opsetImports = opsetImports;
        this.metadata = metadata;
        this.fileBytes = fileBytes;
    }

    /** Loads and validates a model file with the default limits. */
    public static OnnxModel load(Path file) {
        return load(file, LoadOptions.defaults());
    }

    /** Loads and validates a model file; external data is resolved inside the model's folder only. */
    public static OnnxModel load(Path file, LoadOptions options) {
        Path absolute = file.toAbsolutePath().normalize();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(absolute, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new InvalidModelException(file, "file not found");
        } catch (IOException e) {
            throw new InvalidModelException(file, "cannot read the file: " + e.getMessage());
        }
        if (attrs.isDirectory()) {
            throw new InvalidModelException(file, "is a folder, not an ONNX model file");
        }
        if (!attrs.isRegularFile()) {
            throw new InvalidModelException(file, "is not a regular file");
        }
        if (attrs.size() > MAX_FILE_BYTES) {
            throw new InvalidModelException(file, "file of " + attrs.size()
                    + " bytes is larger than an ONNX protobuf can be (2 GiB); weights that large belong in external data");
        }
        ByteBuffer bytes;
        try {
            bytes = map(absolute);
        } catch (AccessDeniedException e) {
            throw new InvalidModelException(file, "permission denied");
        } catch (IOException e) {
            throw new InvalidModelException(file, "cannot read the file: " + e.getMessage());
        }
        Path folder;
        try {
            folder = absolute.getParent().toRealPath(LinkOption.NOFOLLOW_LINKS).toRealPath();
        } catch (IOException e) {
            throw new InvalidModelException(file, "cannot resolve the model's folder: " + e.getMessage());
        }
        return parse(bytes, file, new ExternalData(file, folder), options);
    }

    /**
     * Loads a model from bytes. Such a model has no folder, so any external data is refused.
     *
     * @param displayName how messages name the model
     */
    public static OnnxModel fromBytes(byte[] bytes, Path displayName, LoadOptions options) {
        return parse(ByteBuffer.wrap(bytes.clone()), displayName, new ExternalData(displayName, null), options);
    }

    /**
     * The file's bytes, memory-mapped read-only: the weights are read from the page cache where
     * they are, never copied onto the heap (reading a 233 MB AlexNet into a fresh array took 2.7 s
     * on the benchmark VM, mapping and parsing it 0.1 s).
     */
    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
    }

    /**
     * Parses {@code bytes}, which nobody changes afterwards: the protobuf's byte fields (raw_data)
     * alias them instead of copying.
     */
    private static OnnxModel parse(ByteBuffer bytes, Path file, ExternalData externalData, LoadOptions options) {
        if (bytes.remaining() == 0) {
            throw new InvalidModelException(file, "not an ONNX model: the file is empty");
        }
        ModelProto proto;
        try {
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes.duplicate()).newCodedInput();
            in.enableAliasing(true);
            in.setRecursionLimit(64);
            in.setSizeLimit(Integer.MAX_VALUE);
            proto = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            if (looksLikeText(bytes)) {
                throw new InvalidModelException(file, NOT_BINARY);
            }
            String msg = e.getMessage() == null ? "" : e.getMessage().strip();
            if (msg.contains("ended unexpectedly") || msg.contains("truncated")) {
                throw new InvalidModelException(file, "truncated or corrupt ONNX file (the protobuf data ends early)");
            }
            if (msg.contains("too many levels of nesting")) {
                throw new InvalidModelException(file, "protobuf nesting deeper than 64 levels; refused");
            }
            throw new InvalidModelException(file, "not an ONNX model (invalid protobuf: "
                    + (msg.endsWith(".") ? msg.substring(0, msg.length() - 1) : msg) + ")");
        } catch (IOException e) {
            throw new InvalidModelException(file, "not an ONNX model (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new InvalidModelException(file, "not an ONNX model (" + e + ")");
        }
        if (!proto.hasGraph() && (!proto.hasIrVersion() || proto.getOpsetImportCount() == 0)) {
            if (looksLikeText(bytes)) {
                throw new InvalidModelException(file, NOT_BINARY);
            }
            throw new InvalidModelException(file, "not an ONNX model (no graph, ir_version or opset_import)");
        }
        if (!proto.hasGraph()) {
            throw new InvalidModelException(file, "model has no graph");
        }
        long ir = proto.getIrVersion();
        if (!proto.hasIrVersion()) {
            throw new InvalidModelException(file, "model has no ir_version");
        }
        if (ir < MIN_IR_VERSION || ir > MAX_IR_VERSION) {
            throw new InvalidModelException(file, "unsupported IR version " + ir + " (dnnvis reads IR "
                    + MIN_IR_VERSION + " to " + MAX_IR_VERSION + ")");
        }
        proto = FunctionInlining.inline(proto, file, options.maxNodes());
        long declared = defaultOpset(proto);
        if (declared >= 1 && declared < MIN_OPSET) {
            proto = LegacyOpsetUpgrade.upgrade(proto, declared, file);
        }
        Map<String, Long> opsets = opsetImports(proto, file);
        if (OpsetNineUpgrade.applies(proto, opsets.getOrDefault("", 0L))) {
            proto = OpsetNineUpgrade.upgrade(proto);
            opsets = opsetImports(proto, file);
        }
        TensorDecoder decoder = new TensorDecoder(file, externalData, options.maxTensorBytes());
        GraphReader.Result read = new GraphReader(file, decoder, opsets, options).read(proto.getGraph());
        if (Float16Widening.needed(read.runtimeGraph())) {
            // float16/bfloat16 models run in float32: read again the widened graph (its data all inline)
            read = new GraphReader(file, decoder, opsets, options).read(Float16Widening.widen(read.runtimeGraph()));
        }
        ModelProto runtime = read.runtimeGraph() == proto.getGraph()
                ? proto
                : proto.toBuilder().setGraph(read.runtimeGraph()).build();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : proto.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        return new OnnxModel(file, runtime, read.graph(), Collections.unmodifiableMap(opsets),
                Collections.unmodifiableMap(metadata), bytes, declared);
    }

    /**
     * Whether the file starts like text (UTF-8 without control characters other than tab, CR and
     * LF): a README, JSON or a Git LFS pointer saved as {@code .onnx}. Only asked once parsing failed.
     */
    static boolean looksLikeText(ByteBuffer bytes) {
        int n = Math.min(bytes.remaining(), 512);
        for (int k = 0; k < n; k++) {
            int b = bytes.get(bytes.position() + k) & 0xff;
            if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f) {
                return false;
            }
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        // endOfInput false: a multi-byte character cut at the end of the prefix is no error
        ByteBuffer prefix = bytes.duplicate();
        prefix.limit(prefix.position() + n);
        return !utf8.decode(prefix, CharBuffer.allocate(n), false).isError();
    }

    /** The default domain's opset as the file declares it (the first import of it); -1 where there is none. */
    private static long defaultOpset(ModelProto proto) {
        return proto.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetIdProto::getVersion).findFirst().orElse(-1);
    }

    private static Map<String, Long> opsetImports(ModelProto proto, Path file) {
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            String domain = o.getDomain().equals("ai.onnx") ? "" : o.getDomain();
            if (opsets.put(domain, o.getVersion()) != null) {
                throw new InvalidModelException(file, "opset for domain '" + domain + "' imported twice");
            }
        }
        Long main = opsets.get("");
        if (main == null) {
            throw new InvalidModelException(file, "model imports no opset of the default ONNX domain");
        }
        if (main < MIN_OPSET || main > MAX_OPSET) {
            throw new InvalidModelException(file, "unsupported opset " + main + " (dnnvis reads opsets "
                    + MIN_OPSET + " to " + MAX_OPSET + ")");
        }
        return opsets;
    }

    private static String sha256(ByteBuffer bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The model file as the caller named it. */
    public Path path() {
        return path;
    }

    /** The file name, for messages and titles. */
    public String fileName() {
        Path name = path.getFileName();
        return name == null ? path.toString() : name.toString();
    }

    public Graph graph() {
        return graph;
    }

    public long irVersion() {
        return runtimeProto.getIrVersion();
    }

    /** Opset version per domain; the default ONNX domain is {@code ""}. */
    public Map<String, Long> opsetImports() {
        return opsetImports;
    }

    /** The opset version of the default ONNX domain, as the model runs (older ones are brought to 9, see {@link #fileOpset}). */
    public long opset() {
        return opsetImports.get("");
    }

    /**
     * Why a model of opset 7 or 8 was not brought to 9 on loading, naming the node (see
     * {@link #opset()}); empty for every other model.
     */
    public Optional<String> keptAtOpset() {
        long opset = opset();
        return opset >= 7 && opset < 9 ? OpsetNineUpgrade.obstacle(runtimeProto) : Optional.empty();
    }

    /** The default domain's opset as the file declares it: below {@link #opset()} where loading brought it up. */
    public long fileOpset() {
        return fileOpset;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public String docString() {
        return runtimeProto.getDocString();
    }

    public String producerName() {
        return runtimeProto.getProducerName();
    }

    public String producerVersion() {
        return runtimeProto.getProducerVersion();
    }

    /** SHA-256 of the model file, hex, for provenance records (computed on first use). */
    public String sha256() {
        String h = sha256;
        if (h == null) {
            h = sha256(fileBytes);
            sha256 = h;
        }
        return h;
    }

    /**
     * The validated model as a protobuf with all external data inlined, ready to rewrite and to hand
     * to ONNX Runtime (which then never opens a file on the model's behalf).
     */
    public ModelProto runtimeProto() {
        return runtimeProto;
    }

    @Override
    public String toString() {
        return "OnnxModel[" + path + ", " + graph.nodes().size() + " nodes]";
    }
}
