package io.dnnvis.methods.audit;

import io.dnnvis.methods.Visualizer;
import io.dnnvis.methods.core.BadRequestException;
import io.dnnvis.methods.core.InputLayout;
import io.dnnvis.methods.image.ImageInput;
import io.dnnvis.onnx.Layer;
import io.dnnvis.onnx.OnnxModel;
import io.dnnvis.onnx.Quoted;
import io.dnnvis.trace.EngineOptions;
import io.dnnvis.trace.ExecutionProvider;
import io.dnnvis.trace.TensorValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A dataset audit (Zeiler and Fergus 2014, figure 2): streams the images of a folder through the
 * model in batches, one forward run per batch for every watched layer and the prediction, and keeps
 * for every unit its {@link AuditRequest#top() K} strongest images (a unit's response to an image is
 * the maximum of its map; where it is, the first maximum in row-major order). Memory is K entries per
 * unit and a few batches, whatever the number of images: a decoder thread reads the next images while
 * the model runs (a small bounded queue between them). Files that are not images, cannot be decoded
 * or are too large are {@link SkippedFile skipped}, never fatal.
 *
 * <pre>{@code
 * try (Visualizer vis = Visualizer.open(model)) {
 *     AuditResult r = Audit.on(vis, AuditRequest.of("relu5"), options).run(ImageFolder.scan(dir, true));
 * }
 * }</pre>
 *
 * <p>With a {@link #checkpoint checkpoint} file the running state is saved there atomically every N
 * images, and a run that {@link #resume resumes} from it gives the same result as one that was
 * never interrupted (the batches are the same). The state at the end of the pass is saved too, and the
 * checkpoint stays after the run: the caller removes it once the results are written, so that a run
 * interrupted while it writes them resumes from there. Not thread-safe; one run at a time.
 */
public final class Audit {

    /** How many images a run has done (called from the running thread). */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void imagesDone(int done, int total);
    }

    /** Thrown by the test hook {@link #stopAfter}: the run stopped, as if killed, after a checkpoint. */
    public static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(int images) {
            super("the audit stopped after " + images + " images (test hook); its checkpoint is saved");
        }
    }

    /** Images the default checkpoint interval spans. */
    public static final int DEFAULT_CHECKPOINT_EVERY = 1000;

    /** Entries of the top tables at most: K per unit over all layers (about 24 bytes each). */
    static final long MAX_TOP_ENTRIES = 50_000_000L;

    private final Visualizer vis;
    private final EngineOptions engine;
    private final AuditRequest request;
    private final ImageInput.Options imageOptions;
    private final InputLayout layout;
    private Path checkpoint;
    private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
    private String settings = "";
    private boolean resume;
    private int resumedImages;
    private int stopAfter;
    private Progress progress = Progress.NONE;

    private Audit(Visualizer vis, EngineOptions engine, AuditRequest request, ImageInput.Options imageOptions) {
        this.vis = vis;
        this.engine = engine;
        this.request = request;
        this.imageOptions = imageOptions;
        this.layout = vis.layout();
    }

    /** An audit of {@code vis}'s model; images become input as {@code imageOptions} say. */
    public static Audit on(Visualizer vis, EngineOptions engine, AuditRequest request, ImageInput.Options imageOptions) {
        return new Audit(vis, engine, request, imageOptions);
    }

    /**
     * Saves the running state into {@code file} every {@code every} images (at the end of the batch
     * that reaches them).
     *
     * @param settings what the run is (model digest, folder, options): a resumed run must give the same
     */
    public Audit checkpoint(Path file, int every, String settings) {
        if (every < 1) {
            throw new BadRequestException("the checkpoint interval must be positive, got " + every);
        }
        this.checkpoint = file;
        this.checkpointEvery = every;
        this.settings = settings;
        return this;
    }

    /** Continues from the checkpoint file (which must exist) instead of starting afresh. */
    public Audit resume(boolean fromCheckpoint) {
        this.resume = fromCheckpoint;
        return this;
    }

    public Audit progress(Progress p) {
        this.progress = p;
        return this;
    }

    /** Test hook: after the first checkpoint at or beyond {@code images} images, stop with {@link Stopped}. */
    public Audit stopAfter(int images) {
        this.stopAfter = images;
        return this;
    }

    /** The single input's shape for one image, {@code [1, 3, H, W]} or {@code [1, H, W, 3]}. */
    public long[] inputShape() {
        OnnxModel model = vis.model();
        var inputs = model.graph().inputs();
        if (inputs.size() != 1) {
            throw new BadRequestException(model.path() + ": an audit feeds models with one input; this one has "
                    + inputs.size());
        }
        var dims = inputs.get(0).shape().orElseThrow(() -> new BadRequestException(model.path() + ": input '"
                + Quoted.name(inputs.get(0).name()) + "' declares no shape; give --input-size HxW"));
        if (dims.size() != 4) {
            throw new BadRequestException(model.path() + ": input '" + Quoted.name(inputs.get(0).name())
                    + "' has rank " + dims.size() + "; images need a 4-D input");
        }
        int h = layout.heightAxis();
        int w = layout.widthAxis();
        long[] shape = new long[4];
        shape[0] = 1;
        shape[layout.channelAxis()] = 3;
        if (imageOptions.size() != null) {
            shape[h] = imageOptions.size()[0];
            shape[w] = imageOptions.size()[1];
            for (int axis : new int[] {h, w}) {
                if (dims.get(axis).isFixed() && dims.get(axis).value() != shape[axis]) {
                    throw new BadRequestException(model.path() + ": input '" + Quoted.name(inputs.get(0).name())
                            + "' has a fixed " + (axis == h ? "height" : "width") + " of " + dims.get(axis).value()
                            + "; --input-size " + shape[h] + "x" + shape[w] + " does not fit it");
                }
            }
        } else if (dims.get(h).isFixed() && dims.get(w).isFixed()) {
            shape[h] = dims.get(h).value();
            shape[w] = dims.get(w).value();
        } else {
            throw new BadRequestException(model.path() + ": input '" + Quoted.name(inputs.get(0).name())
                    + "' has dynamic size " + dims + "; give --input-size HxW");
        }
        return shape;
    }

    /** The watched layers (checked: each exists and is {@code [1, C, h, w]} or {@code [1, K]}). */
    public List<AuditLayer> layers() {
        Map<String, long[]> shapes = vis.shapes(inputShape());
        ReceptiveField field = new ReceptiveField(vis.model(), shapes, layout.heightAxis(), layout.widthAxis());
        List<AuditLayer> out = new ArrayList<>();
        for (String name : request.layers()) {
            Layer layer = vis.model().graph().layer(name);
            long[] shape = shapes.get(layer.tensor());
            if (shape == null || (shape.length != 4 && shape.length != 2) || shape[0] != 1) {
                throw new BadRequestException("layer " + name + " has shape " + Arrays.toString(shape)
                        + "; an audit watches layers [1, C, h, w] or [1, K]");
            }
            int[] image = shape.length == 4 ? field.imageAxes(layer.tensor()).orElse(new int[] {2, 3}) : null;
            if (image != null && (image[0] != 2 || image[1] != 3)) {
                throw new BadRequestException(io.dnnvis.methods.core.ChannelAxis.message(name, shape, image,
                        "an audit watches the channels of layers [1, C, h, w]"));
            }
            out.add(new AuditLayer(layer.tensor(), layer.node().alias(), (int) shape[1],
                    Arrays.stream(shape).boxed().toList()));
        }
        if (out.stream().map(AuditLayer::tensor).distinct().count() != out.size()) {
            throw new BadRequestException("two of the layers " + request.layers() + " are the same tensor");
        }
        return out;
    }

    /** The receptive fields of the model's layers at its input size. */
    public ReceptiveField receptiveField() {
        long[] input = inputShape();
        return new ReceptiveField(vis.model(), vis.shapes(input), layout.heightAxis(), layout.widthAxis());
    }

    /** The system property that sets the decoders' schedule ({@code beside:N} or {@code between:N}), for benchmarks. */
    static final String DECODING_PROPERTY = "dnnvis.audit.decoding";

    /**
     * How decoding shares the cores with the model: on a GPU every core but one beside it; on the
     * CPU the cores ONNX Runtime's threads leave free, else all of them between its runs
     * ({@link ImageDecoder.Schedule#forCores}).
     */
    static ImageDecoder.Schedule decodeSchedule(EngineOptions engine) {
        String set = System.getProperty(DECODING_PROPERTY, "");
        if (set.matches("(beside|between):[1-9][0-9]?")) {
            return new ImageDecoder.Schedule(Integer.parseInt(set.substring(set.indexOf(':') + 1)),
                    set.startsWith("between"));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (engine.provider() != ExecutionProvider.CPU) {
            return new ImageDecoder.Schedule(Math.max(1, cores - 1), false);
        }
        return ImageDecoder.Schedule.forCores(cores, engine.threads() > 0 ? engine.threads() : cores);
    }

    /**
     * The images of the last {@link #run} that came from its checkpoint (0 unless it resumed): the run
     * itself read the rest.
     */
    public int resumedImages() {
        return resumedImages;
    }

    /** Runs the audit over {@code folder}'s files. */
    public AuditResult run(ImageFolder folder) {
        long[] inputShape = inputShape();
        List<AuditLayer> layers = layers();
        AuditState state = startState(folder, layers);
        resumedImages = state.images;
        checkBatch(inputShape);
        try (AuditForward forward = AuditForward.open(vis, engine, request, inputShape, layers);
                ImageDecoder decoder = ImageDecoder.start(folder, state.nextFile, vis.model(), imageOptions, layout,
                        inputShape, request.batch(), decodeSchedule(engine))) {
            int batchSize = forward.batchSize();
            int perImage = forward.perImage();
            float[] batch = new float[batchSize * perImage];
            List<String> names = new ArrayList<>();
            List<SkippedFile> pendingSkips = new ArrayList<>();
            int lastSaved = state.images;
            int consumed = state.nextFile;
            progress.imagesDone(state.nextFile, folder.files().size());
            while (true) {
                ImageDecoder.Item item = decoder.next();
                boolean end = item == null;
                if (!end) {
                    consumed = item.index() + 1;
                    if (item.skipped() != null) {
                        pendingSkips.add(item.skipped());
                    } else {
                        System.arraycopy(item.data(), 0, batch, names.size() * perImage, perImage);
                        names.add(item.file());
                    }
                }
                if (names.size() == batchSize || (end && (!names.isEmpty() || !pendingSkips.isEmpty()))) {
                    decoder.whileModelRuns(() -> forward.run(batch, names, state.tops, state.predictions));
                    state.images += names.size();
                    state.skipped.addAll(pendingSkips);
                    for (int f = state.nextFile; f < consumed; f++) {
                        state.stamps = FileStamps.add(state.stamps, folder, folder.files().get(f));
                    }
                    state.nextFile = consumed;
                    state.lastFile = folder.files().get(consumed - 1);
                    names.clear();
                    pendingSkips.clear();
                    progress.imagesDone(consumed, folder.files().size());
                    boolean stop = stopAfter > 0 && state.images >= stopAfter;
                    if (checkpoint != null && (state.images - lastSaved >= checkpointEvery || stop)) {
                        save(state);
                        lastSaved = state.images;
                    }
                    if (stop) {
                        throw new Stopped(state.images);
                    }
                }
                if (end) {
                    break;
                }
            }
            if (checkpoint != null) {
                save(state); // the whole pass: an interrupted drawing of the pictures resumes from here
            }
        }
        return AuditTally.assemble(receptiveField(), layers, state.tops, state.predictions, folder.skipped(),
                state.skipped, state.images);
    }

    /**
     * Refuses, before anything is run or written, a missing or unfit layer ({@link #layers}), a request
     * whose top tables or batch of inputs would not fit in memory (see {@link #MAX_TOP_ENTRIES} and the
     * engine's largest tensor), and a method whose backward net cannot be written from one of the
     * layers (an op on the way without a rule, a setting a rule refuses): the pictures come after the
     * pass over every image.
     *
     * @return the watched layers, as {@link #layers} gives them
     */
    public List<AuditLayer> check() {
        List<AuditLayer> layers = layers();
        long[] input = inputShape();
        checkTopTables(layers);
        checkBatch(input);
        request.method().backward().ifPresent(method -> {
            for (AuditLayer layer : layers) {
                io.dnnvis.methods.NeuronBatches.check(vis, method, layer.tensor(), input);
            }
        });
        return layers;
    }

    private void checkTopTables(List<AuditLayer> layers) {
        long entries = layers.stream().mapToLong(l -> (long) l.units() * request.top()).sum();
        if (entries > MAX_TOP_ENTRIES) {
            throw new BadRequestException(String.format(Locale.ROOT, "the top %d of every unit (%d units in all) "
                    + "would keep %d entries, more than %d; ask for fewer", request.top(),
                    layers.stream().mapToLong(AuditLayer::units).sum(), entries, MAX_TOP_ENTRIES));
        }
    }

    /** Refuses a batch of inputs that alone would be a larger tensor than the engine allows. */
    private void checkBatch(long[] inputShape) {
        int batch = request.batch();
        long perImage = Arrays.stream(inputShape).reduce(1, Math::multiplyExact) / Math.max(1, inputShape[0]);
        double bytes = (double) batch * perImage * Float.BYTES;
        if (bytes > engine.maxTensorBytes() || (double) batch * perImage > Integer.MAX_VALUE - 8) {
            throw new BadRequestException(String.format(Locale.ROOT, "a batch of %d images of %d values is %.0f "
                    + "bytes, more than the largest tensor allowed (%d bytes); give a smaller batch", batch,
                    perImage, bytes, engine.maxTensorBytes()));
        }
    }

    private AuditState startState(ImageFolder folder, List<AuditLayer> layers) {
        if (!resume) {
            checkTopTables(layers);
            List<UnitTops> tops = layers.stream().map(l -> new UnitTops(l.units(), request.top())).toList();
            return new AuditState(settings, tops);
        }
        if (checkpoint == null) {
            throw new IllegalStateException("resume needs a checkpoint file");
        }
        AuditState state = AuditState.load(checkpoint, settings);
        List<String> files = folder.files();
        boolean same = state.nextFile <= files.size() && state.tops.size() == layers.size()
                && (state.nextFile == 0 || files.get(state.nextFile - 1).equals(state.lastFile))
                && FileStamps.of(folder, state.nextFile) == state.stamps;
        for (int l = 0; same && l < layers.size(); l++) {
            same = state.tops.get(l).units() == layers.get(l).units();
        }
        if (!same) {
            throw new BadRequestException(folder.root() + ": the folder's files changed (added, removed or "
                    + "rewritten) since the checkpoint " + checkpoint + " was saved; start again in another output folder");
        }
        return state;
    }

    private void save(AuditState state) {
        try {
            state.save(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException(checkpoint + ": cannot save the checkpoint", e);
        }
    }

    /** Offers every image's response of every unit of one layer ({@code [n, C, h, w]} or {@code [n, K]}). */
    static void collect(UnitTops tops, TensorValue value, List<String> names) {
        long[] shape = value.shape();
        float[] data = value.data();
        int units = (int) shape[1];
        int h = shape.length == 4 ? (int) shape[2] : 1;
        int w = shape.length == 4 ? (int) shape[3] : 1;
        int plane = h * w;
        for (int i = 0; i < names.size(); i++) {
            for (int c = 0; c < units; c++) {
                int base = (i * units + c) * plane;
                int best = -1;
                float max = Float.NEGATIVE_INFINITY;
                for (int p = 0; p < plane; p++) {
                    float v = data[base + p];
                    if (v > max || (best < 0 && !Float.isNaN(v))) {
                        max = v;
                        best = p;
                    }
                }
                if (best >= 0) {
                    tops.offer(c, max, names.get(i), best / w, best % w);
                }
            }
        }
    }

    /** The prediction rows by image (for callers that look them up). */
    public static Map<String, Prediction> byImage(List<Prediction> predictions) {
        Map<String, Prediction> out = new LinkedHashMap<>();
        predictions.forEach(p -> out.put(p.image(), p));
        return out;
    }

    Optional<Path> checkpointFile() {
        return Optional.ofNullable(checkpoint);
    }
}
