package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.rnn4j.callbacks.CSVLogger;
import io.github.rnn4j.callbacks.EarlyStopping;
import io.github.rnn4j.cli.plot.BoxPlot;
import io.github.rnn4j.cli.plot.ChartFormat;
import io.github.rnn4j.data.box.Box;
import io.github.rnn4j.data.box.BoxBaselines;
import io.github.rnn4j.data.box.BoxScore;
import io.github.rnn4j.data.box.BoxSignals;
import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Dropout;
import io.github.rnn4j.layers.Flatten;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.Bidirectional;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.Recurrent;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.History;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.BinaryCrossentropy;
import io.github.rnn4j.training.MeanSquaredError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rnn4j bbox}: the "1-D bounding box" task revisited with recurrent networks. Generates
 * signals that each hold one object among noise, drift and narrow distractor spikes
 * ({@link BoxSignals}), trains each requested model to say where the object sits, and scores it
 * on fresh test signals by IoU beside two references: the mean box (a model that ignores its
 * input) and a matched filter (smoothing plus full width at half maximum, no training).
 *
 * <p>Two ways to ask a network for a box: <em>regression</em> ({@code dense}, {@code simple},
 * {@code lstm}, {@code gru}, {@code bilstm}: the network reads the whole signal and outputs the
 * start and end as fractions of the length, trained with MSE) and <em>tagging</em>
 * ({@code tagger}: a bidirectional LSTM returns a sequence, a per-step sigmoid says "inside the
 * object", trained with binary cross-entropy; the box is the longest run above 0.5). The
 * {@code dense} model is the pre-RNN approach: a multilayer perceptron on the flattened signal.
 *
 * <p>Writes to {@code --out}: {@code metrics.json}, {@code history-MODEL.csv}, {@code
 * model-MODEL.rnn4j} and {@code examples.png/.svg} (test signals with their true and predicted
 * boxes). It is one honest train/validation/test run per model, not a hyper-parameter search.
 */
@Command(name = "bbox", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The 1-D bounding box task: find where an object sits in a generated 1-D signal.",
                "Trains the --models, scores them by IoU on test signals beside the mean box and a matched filter."})
final class BBoxCommand implements Callable<Integer> {
    static final List<String> MODELS = List.of("dense", "simple", "lstm", "gru", "bilstm", "tagger");

    @Option(names = "--models", split = ",", defaultValue = "dense,lstm,bilstm,tagger", paramLabel = "MODEL",
            description = "comma-separated: dense, simple, lstm, gru, bilstm, tagger (default: ${DEFAULT-VALUE})")
    List<String> models;
    @Option(names = "--train", defaultValue = "4000", description = "training signals (default: ${DEFAULT-VALUE})")
    int nTrain;
    @Option(names = "--val", defaultValue = "500", description = "validation signals, for early stopping (default: ${DEFAULT-VALUE})")
    int nVal;
    @Option(names = "--test", defaultValue = "1000", description = "test signals (default: ${DEFAULT-VALUE})")
    int nTest;
    @Option(names = "--length", defaultValue = "64", description = "steps per signal (default: ${DEFAULT-VALUE})")
    int length;
    @Option(names = "--min-width", defaultValue = "6", description = "narrowest object, steps (default: ${DEFAULT-VALUE})")
    int minWidth;
    @Option(names = "--max-width", defaultValue = "24", description = "widest object, steps (default: ${DEFAULT-VALUE})")
    int maxWidth;
    @Option(names = "--noise", defaultValue = "0.25", description = "standard deviation of the noise; objects are 0.6-1.2 high (default: ${DEFAULT-VALUE})")
    double noise;
    @Option(names = "--drift", defaultValue = "0.3", description = "largest amplitude of the slow background drift (default: ${DEFAULT-VALUE})")
    double drift;
    @Option(names = "--spikes", defaultValue = "2", description = "most distractor spikes per signal (default: ${DEFAULT-VALUE})")
    int spikes;
    @Option(names = "--units", defaultValue = "32", description = "units per layer (default: ${DEFAULT-VALUE})")
    int units;
    @Option(names = "--dropout", defaultValue = "0", description = "input dropout of recurrent layers, dropout after dense layers (default: ${DEFAULT-VALUE})")
    double dropout;
    @Option(names = "--recurrent-dropout", defaultValue = "0", description = "dropout of the recurrent state (default: ${DEFAULT-VALUE})")
    double recurrentDropout;
    @Option(names = "--epochs", defaultValue = "30", description = "maximum epochs (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--patience", defaultValue = "5", description = "stop after this many epochs without a better val_loss, best weights restored; 0 = never (default: ${DEFAULT-VALUE})")
    int patience;
    @Option(names = "--batch-size", defaultValue = "32", description = "batch size (default: ${DEFAULT-VALUE})")
    int batchSize;
    @Option(names = "--learning-rate", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;
    @Option(names = "--seed", defaultValue = "42", description = "seed of the data and of every model (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "bbox-out", paramLabel = "DIR", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    /** One row of the results table. */
    record Row(String name, String kind, long params, int epochs, BoxScore score, double seconds, List<Box> boxes) {
    }

    @Override
    public Integer call() throws IOException {
        List<String> kinds = validate();
        BoxSignals.Spec spec = new BoxSignals.Spec().length(length).widths(minWidth, maxWidth).noise(noise).drift(drift)
                .maxSpikes(spikes);
        // one stream of signals, cut in three: the parts never share a signal
        BoxSignals all = BoxSignals.generate(spec, nTrain + nVal + nTest, seed);
        Tensor x = all.signals();
        Tensor xTrain = x.slice0(0, nTrain), xVal = x.slice0(nTrain, nTrain + nVal), xTest = x.slice0(nTrain + nVal, x.dim(0));
        List<Box> trainBoxes = all.boxes().subList(0, nTrain), testBoxes = all.boxes().subList(nTrain + nVal, x.dim(0));
        System.out.printf(Locale.ROOT, "1-D bounding box: %d train / %d validation / %d test signals of %d steps; objects %d-%d steps "
                        + "(rectangle, triangle, bump), noise %.2f, drift <= %.2f, <= %d spikes of 1-2 steps%n",
                nTrain, nVal, nTest, length, minWidth, maxWidth, noise, drift, spikes);

        List<Row> rows = new ArrayList<>();
        Box mean = BoxBaselines.meanBox(trainBoxes);
        List<Box> meanBoxes = new ArrayList<>();
        List<Box> filtered = new ArrayList<>();
        for (int i = 0; i < nTest; i++) {
            meanBoxes.add(mean);
            filtered.add(BoxBaselines.matchedFilter(xTest.data(), i * length, length, minWidth));
        }
        rows.add(new Row("mean box " + mean, "baseline", 0, 0, BoxScore.of(testBoxes, meanBoxes), 0, meanBoxes));
        rows.add(new Row("matched filter", "baseline", 0, 0, BoxScore.of(testBoxes, filtered), 0, filtered));

        Files.createDirectories(out);
        Map<String, Object> perModel = new LinkedHashMap<>();
        for (String kind : kinds) {
            long t0 = System.nanoTime();
            boolean tagger = kind.equals("tagger");
            Sequential net = build(kind);
            net.seed(seed);
            if (tagger) net.compile(new Adam(learningRate), new BinaryCrossentropy(), "accuracy");
            else net.compile(new Adam(learningRate), new MeanSquaredError(), "mae");
            System.out.printf(Locale.ROOT, "%n== %s (%s) ==%n", kind, tagger ? "tagging: per-step inside/outside, binary cross-entropy"
                    : "regression: start and end as fractions of the length, MSE");
            System.out.print(net.summary());
            Tensor yTrain = tagger ? all.maskTargets().slice0(0, nTrain) : all.boxTargets().slice0(0, nTrain);
            Tensor yVal = tagger ? all.maskTargets().slice0(nTrain, nTrain + nVal) : all.boxTargets().slice0(nTrain, nTrain + nVal);
            FitOptions fo = new FitOptions().epochs(epochs).batchSize(batchSize).validationData(xVal, yVal).verbose(2)
                    .callbacks(new CSVLogger(out.resolve("history-" + kind + ".csv")));
            if (patience > 0) fo.callbacks(new EarlyStopping().monitor("val_loss").patience(patience).restoreBestWeights(true));
            History h = net.fit(xTrain, yTrain, fo);
            if (h.stopReason() != null) System.out.println(h.stopReason());
            List<Box> pred = decode(net.predict(xTest, 256), tagger);
            double secs = (System.nanoTime() - t0) / 1e9;
            BoxScore score = BoxScore.of(testBoxes, pred);
            rows.add(new Row(kind, tagger ? "tagging" : "regression", net.countParams(), h.epochs().size(), score, secs, pred));

            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("kind", "rnn4j-bbox");
            meta.put("head", tagger ? "per-step sigmoid: inside the object; box = longest run above 0.5"
                    : "start and end as fractions of the signal length");
            meta.put("length", length);
            ModelFile.save(net, out.resolve("model-" + kind + ".rnn4j"), false, meta);
            Map<String, Object> m = scoreMap(score);
            m.put("head", tagger ? "tagging" : "regression");
            m.put("params", net.countParams());
            m.put("epochs_run", h.epochs().size());
            m.put("stop_reason", h.stopReason());
            m.put("seconds", secs);
            m.put("history", h.history());
            perModel.put(kind, m);
        }

        System.out.printf(Locale.ROOT, "%nTest: %d signals; IoU = overlap / union of the predicted and true boxes (steps)%n", nTest);
        System.out.printf(Locale.ROOT, "  %-22s %-10s %8s %6s %9s %9s %9s %10s %8s%n", "model", "head", "params", "epochs",
                "mean IoU", "IoU>=0.5", "IoU>=0.75", "edge err", "seconds");
        for (Row r : rows) {
            BoxScore s = r.score;
            System.out.printf(Locale.ROOT, "  %-22s %-10s %8s %6s %9.3f %8.1f%% %8.1f%% %10.2f %8s%n", r.name, r.kind,
                    r.params == 0 ? "-" : Long.toString(r.params), r.epochs == 0 ? "-" : Integer.toString(r.epochs),
                    s.meanIou(), 100 * s.hit50(), 100 * s.hit75(), s.meanEdgeError(),
                    r.kind.equals("baseline") ? "-" : String.format(Locale.ROOT, "%.1f", r.seconds));
        }
        BoxScore filter = rows.get(1).score;
        for (Row r : rows.subList(2, rows.size())) {
            System.out.printf(Locale.ROOT, "  %s: mean IoU %.3f, %s the matched filter (%.3f)%n", r.name, r.score.meanIou(),
                    r.score.meanIou() > filter.meanIou() ? "beats" : "does NOT beat", filter.meanIou());
        }

        Map<String, Object> baselines = new LinkedHashMap<>();
        Map<String, Object> mb = scoreMap(rows.get(0).score);
        mb.put("box", List.of(mean.start(), mean.end()));
        baselines.put("mean_box", mb);
        baselines.put("matched_filter", scoreMap(filter));
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("models", kinds);
        opts.put("train", nTrain);
        opts.put("val", nVal);
        opts.put("test", nTest);
        opts.put("length", length);
        opts.put("min_width", minWidth);
        opts.put("max_width", maxWidth);
        opts.put("noise", noise);
        opts.put("drift", drift);
        opts.put("spikes", spikes);
        opts.put("units", units);
        opts.put("dropout", dropout);
        opts.put("recurrent_dropout", recurrentDropout);
        opts.put("epochs", epochs);
        opts.put("patience", patience);
        opts.put("batch_size", batchSize);
        opts.put("learning_rate", learningRate);
        opts.put("seed", seed);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", "1-D bounding box");
        m.put("test_signals", nTest);
        m.put("baselines", baselines);
        m.put("models", perModel);
        m.put("options", opts);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("metrics.json").toFile(), m);

        BoxPlot plot = new BoxPlot(xTest, length, testBoxes);
        for (Row r : rows.subList(1, rows.size())) plot.prediction(r.name, r.boxes);
        plot.write(out.resolve("examples"), 6, EnumSet.allOf(ChartFormat.class));
        System.out.println("\nWrote metrics.json, history-MODEL.csv, model-MODEL.rnn4j, examples.png/.svg to " + out);
        return 0;
    }

    private List<String> validate() {
        List<String> kinds = new ArrayList<>();
        for (String m : models) {
            String k = m.strip().toLowerCase(Locale.ROOT);
            if (!MODELS.contains(k)) {
                throw new IllegalArgumentException("--models: '" + m + "' is not one of " + String.join(", ", MODELS));
            }
            if (kinds.contains(k)) throw new IllegalArgumentException("--models lists '" + k + "' twice");
            kinds.add(k);
        }
        Options.positive("--train", nTrain);
        Options.positive("--val", nVal);
        Options.positive("--test", nTest);
        Options.positive("--units", units);
        Options.positive("--epochs", epochs);
        Options.positive("--batch-size", batchSize);
        if (patience < 0) throw new IllegalArgumentException("--patience must be >= 0, got " + patience);
        Options.rate("--dropout", dropout);
        Options.rate("--recurrent-dropout", recurrentDropout);
        if (recurrentDropout > 0 && kinds.contains("dense")) {
            throw new IllegalArgumentException("--recurrent-dropout applies to recurrent models, and --models lists dense");
        }
        if (!(learningRate > 0)) throw new IllegalArgumentException("--learning-rate must be positive, got " + learningRate);
        return kinds;
    }

    private Sequential build(String kind) {
        Sequential s = new Sequential(new InputLayer(length, 1));
        switch (kind) {
            case "dense" -> {
                s.add(new Flatten());
                s.add(new Dense(4 * units).activation("relu"));
                if (dropout > 0) s.add(new Dropout(dropout));
                s.add(new Dense(2));
            }
            case "tagger" -> {
                s.add(new Bidirectional(recurrent(new LSTM(units)).returnSequences(true)));
                s.add(new Dense(1).activation("sigmoid"));
            }
            default -> {
                Recurrent<?> r = recurrent(switch (kind) {
                    case "simple" -> new SimpleRNN(units);
                    case "gru" -> new GRU(units);
                    default -> new LSTM(units);
                });
                s.add(kind.equals("bilstm") ? new Bidirectional(r) : r);
                s.add(new Dense(2));
            }
        }
        return s;
    }

    private Recurrent<?> recurrent(Recurrent<?> r) {
        r.dropout(dropout).recurrentDropout(recurrentDropout);
        return r;
    }

    private List<Box> decode(Tensor y, boolean tagger) {
        List<Box> boxes = new ArrayList<>(y.dim(0));
        for (int i = 0; i < y.dim(0); i++) {
            boxes.add(tagger ? Box.fromMask(y.data(), i * length, length, 0.5)
                    : Box.fromFractions(y.data()[2 * i], y.data()[2 * i + 1], length));
        }
        return boxes;
    }

    private static Map<String, Object> scoreMap(BoxScore s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean_iou", s.meanIou());
        m.put("iou_at_least_0.5", s.hit50());
        m.put("iou_at_least_0.75", s.hit75());
        m.put("mean_edge_error_steps", s.meanEdgeError());
        return m;
    }
}
